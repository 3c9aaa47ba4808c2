"""The version, where every module (the command line included) can read it cheaply."""
__version__ = "0.1.0"
