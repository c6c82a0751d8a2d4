"""A module overrides the desk's hooks, never its helpers: a helper of the same name
(``_view``, ``_may_see``, ``_require_staff``) silently breaks the desk's own routes for it."""

import pytest

from chassis.module import MallModule
from services.complaints.service import ComplaintsService
from services.regional_tax.service import RegionalTaxService
from services.social_aid.service import SocialAidService

HELPERS = {name for name in vars(MallModule) if name.startswith("_") and not name.startswith("__")}


@pytest.mark.parametrize("module", [ComplaintsService, RegionalTaxService, SocialAidService])
def test_a_module_does_not_shadow_a_helper_of_the_desk(module):
    shadowed = {
        name
        for klass in module.__mro__
        if klass not in MallModule.__mro__
        for name in vars(klass)
        if name in HELPERS
    }
    assert not shadowed, f"{module.__name__} redefines the desk's {sorted(shadowed)}"
