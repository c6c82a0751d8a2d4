# nameko's containers need eventlet's monkey patching before anything else is imported
# (the mall's root conftest.py does the same; patching twice is harmless).
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()
