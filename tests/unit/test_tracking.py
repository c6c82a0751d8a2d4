from desk import tracking


def test_a_code_is_held_by_whoever_shows_it_however_she_types_it():
    code = tracking.new_code()
    kept = tracking.digest(code)
    assert tracking.holds(kept, code)
    assert tracking.holds(kept, code.lower().replace("-", " "))
    assert not tracking.holds(kept, tracking.new_code())
    assert not tracking.holds(kept, "") and not tracking.holds(None, code)


def test_codes_are_readable_and_do_not_repeat():
    codes = {tracking.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(
        len(c) == 11 and c[5] == "-" and set(c) <= set(tracking.ALPHABET + "-") for c in codes
    )


def test_a_visitor_applicant_is_nobodys_person_id():
    applicant = tracking.visitor_id()
    assert tracking.is_visitor(applicant) and not tracking.is_visitor("3f2a9b1c-0000-4000")
    assert not tracking.is_visitor(None)
