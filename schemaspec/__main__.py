import sys

from schemaspec.cli import main

sys.exit(main())
