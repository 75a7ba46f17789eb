"""localbot: an offline, on-device shop assistant.

Only the version lives here so that ``import localbot`` stays instant; torch and llama_cpp are
imported lazily by the modules that need them.
"""

__version__ = "0.1.0"
