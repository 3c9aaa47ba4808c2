from setuptools import Extension, setup

# The C speedups are optional: without a compiler (or on an interpreter other than CPython)
# the install goes on without them and command classes are called the ordinary way.
# See sgframe/_speedups.c for what they do and why.
setup(ext_modules=[Extension("sgframe._speedups", ["sgframe/_speedups.c"], optional=True)])
