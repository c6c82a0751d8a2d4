"""Infrastructure shared by every service of the mall: never domain rules."""

import warnings

# nameko 2.14 needs eventlet, which now warns that it is in maintenance mode (see README).
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
