"""`python -m preflight.tfplan waivers --results R --waivers W`: see preflight.tfplan.waivers."""

import sys

from preflight.tfplan.waivers import main

sys.exit(main())
