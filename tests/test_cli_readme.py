"""The README's command-line session, run as a doctest.

SESSION is the text handed to the README's owner for a "The command line" section; tox
runs README.rst with --doctest-glob, and this test keeps the text true meanwhile.
"""
from __future__ import annotations

import doctest

SESSION = r"""The command line
----------------

``sgframe`` speaks to /dev/sgN, /dev/sdX, /dev/bsg/H:C:T:L, H:C:T:L or a transport URI such
as ``emu:disk``; every subcommand takes ``--json``, and the exit codes are sg3_utils' (see
``sgframe --help``). The same session from Python, as this file's tests run it:

>>> from sgframe.cli import main
>>> main(["inq", "emu:disk"])
Vendor:      SGFRAME
Product:     EMU DISK
Revision:    0001
Device type: direct access block device (0x00)
Qualifier:   connected
Version:     SPC-5 (0x07)
Flags:       HiSup CmdQue TPGS=1
0
>>> main(["readcap", "emu:disk?blocks=2048"])
Last LBA:         2047
Number of blocks: 2048
Block length:     512 bytes
Capacity:         1048576 bytes (1.00 MiB)
0
>>> main(["raw", "emu:disk", "12 00 00 00 08 00", "--request", "8"])
    cdb to send: 12 00 00 00 08 00 (INQUIRY)
SCSI Status: Good
<BLANKLINE>
Received 8 bytes of data:
 0000  00 00 07 12 5b 10 00 02                           ....[...
0
>>> main(["decode-sense", "70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 c0 00 02"])
Fixed format, current; Sense key: ILLEGAL REQUEST
 Additional sense: Invalid field in cdb [24h/00h]
  Sense key specific: error in CDB byte 2
0
>>> main(["decode-cdb", "--json", "88 00 00 00 00 00 00 00 04 00 00 00 00 08 00 00"])  # doctest: +ELLIPSIS
{
  "command": {
    "name": "READ(16)",
...
  "fields": {
    "rdprotect": 0,
    "dpo": false,
    "fua": false,
    "rarc": false,
    "lba": 1024,
    "transfer_length": 8,
    "group_number": 0,
    "control": 0
  }
}
0

A command that fails prints one line on stderr and returns its category: reading past the
end of a 64-block disk is an ILLEGAL REQUEST (5).

>>> main(["read", "emu:disk?blocks=64", "--lba", "64", "--count", "1", "--json"])  # doctest: +ELLIPSIS
{
  "device": "emu:disk?blocks=64",
  "lba": 64,
...
  "exit_code": 5
}
5
"""


def test_readme_session():
    parser = doctest.DocTestParser()
    test = parser.get_doctest(SESSION, {}, "cli-session", "README.rst", 0)
    assert len(test.examples) == 7
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False) == doctest.TestResults(failed=0, attempted=7)
