"""The router turns a parse into the contract's route; the safety net needs no NLU server."""
import pytest

from nlu.client import CircuitBreaker, NluClient, NluUnavailable
from nlu.router import ROUTES, Router, route_of_intent


def parse_result(intent, confidence, ranking=None, faq=None):
    result = {"intent": {"name": intent, "confidence": confidence},
              "intent_ranking": ranking or [{"name": intent, "confidence": confidence}], "entities": []}
    if faq:
        key, conf = faq
        result["response_selector"] = {"faq": {"response": {"intent_response_key": f"faq/{key}", "confidence": conf},
                                               "ranking": [{"intent_response_key": f"faq/{key}", "confidence": conf}]}}
    return result


def router_returning(result, **kwargs):
    async def parse(text):
        if isinstance(result, Exception):
            raise result
        return result
    return Router(parse, **kwargs)


@pytest.mark.parametrize("intent, route, category", [
    ("case_wages", "case", "wages"), ("case_trafficking", "case", "trafficking"), ("emergency", "emergency", None),
    ("checkin_ok", "checkin_ok", None), ("greet", "chitchat", None), ("ask_human", "case", "other"),
    ("faq", "faq", None), ("out_of_scope", "fallback", None), ("nlu_fallback", "fallback", None),
])
def test_intents_map_to_contract_routes(intent, route, category):
    assert route_of_intent(intent) == (route, category)
    assert route in ROUTES


async def test_danger_words_win_over_the_model():
    router = router_returning(parse_result("greet", 0.99))
    result = await router.route("tolong saya dipukul majikan")
    assert result.route == "emergency" and result.reason == "safety_net" and result.danger_term


async def test_danger_words_work_with_the_nlu_down():
    router = router_returning(NluUnavailable("down"))
    assert (await router.route("sy disekap agen")).route == "emergency"


async def test_nlu_down_gives_fallback_with_knowledge_base_suggestions():
    router = router_returning(NluUnavailable("down"), faq_search=lambda text: [("paspor_hilang", 3.0)])
    result = await router.route("paspor sy ilang")
    assert result.route == "fallback" and result.reason == "nlu_down"
    assert [s.key for s in result.suggestions] == ["paspor_hilang"]


async def test_low_confidence_gives_suggestions():
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "case_wages", "confidence": 0.35},
               {"name": "case_documents", "confidence": 0.3}, {"name": "greet", "confidence": 0.1}]
    router = router_returning(parse_result("nlu_fallback", 0.4, ranking))
    result = await router.route("hmm gimana ya")
    assert result.route == "fallback"
    assert [s.key for s in result.suggestions][:2] == ["case_wages", "case_documents"]


async def test_model_emergency_above_its_floor_is_an_emergency():
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "case_abuse", "confidence": 0.38},
               {"name": "case_wages", "confidence": 0.3}, {"name": "emergency", "confidence": 0.21}]
    router = router_returning(parse_result("nlu_fallback", 0.4, ranking))
    result = await router.route("majikan marah besar malam ini")
    assert result.route == "emergency" and result.category == "abuse"
    ranking[-1]["confidence"] = 0.15  # below the floor: not an emergency
    assert (await router.route("majikan marah besar malam ini")).route == "fallback"


async def test_faq_uses_the_selector_pick_above_its_floor():
    router = router_returning(parse_result("faq", 0.9, faq=("nomor_kbri", 0.25)), threshold=0.5)
    result = await router.route("nomor kdei brp")
    assert (result.route, result.faq_id, result.intent) == ("faq", "nomor_kbri", "faq/nomor_kbri")
    router = router_returning(parse_result("faq", 0.9, faq=("nomor_kbri", 0.05)), threshold=0.5)
    assert (await router.route("nomor kdei brp")).route == "fallback"


async def test_empty_text_is_fallback_without_asking_the_nlu():
    router = router_returning(AssertionError("must not be called"))
    assert (await router.route("   ")).reason == "empty"


async def test_client_retries_once_then_opens_the_breaker():
    clock = [0.0]
    breaker = CircuitBreaker(2, 30.0, monotonic=lambda: clock[0])
    client = NluClient("http://127.0.0.1:9", timeout=0.2, breaker=breaker)  # nothing listens on port 9
    for _ in range(2):
        with pytest.raises(NluUnavailable):
            await client.parse("halo")
    assert breaker.is_open
    with pytest.raises(NluUnavailable, match="circuit open"):
        await client.parse("halo")
    clock[0] += 31
    assert not breaker.is_open  # half-open: one call may try again
    await client.close()


def faq_parse(ranking):
    """A parse whose intent is faq, with the selector's ranking [(entry id, confidence)]."""
    result = parse_result("faq", 0.95)
    items = [{"intent_response_key": f"faq/{key}", "confidence": conf} for key, conf in ranking]
    result["response_selector"] = {"faq": {"response": items[0], "ranking": items}}
    return result


async def test_faq_entry_weighs_the_selector_and_the_knowledge_base_search_equally():
    parsed = faq_parse([("hak_pmi", 0.6), ("gaji_tidak_dibayar", 0.3)])
    # the search strongly matches the selector's second choice: 0.3 + 0.9 beats 0.6 + 0.2
    search = {"gaji telat dibayar": [("gaji_tidak_dibayar", 0.9), ("hak_pmi", 0.2)]}
    router = router_returning(parsed, faq_search=lambda text: search.get(text, []))
    result = await router.route("gaji telat dibayar")
    assert (result.route, result.faq_id) == ("faq", "gaji_tidak_dibayar")
    # with no search hit the selector's pick stands
    assert (await router.route("something else")).faq_id == "hak_pmi"


async def test_faq_search_failure_does_not_break_the_answer():
    def broken(text):
        raise RuntimeError("index corrupt")

    router = router_returning(faq_parse([("hak_pmi", 0.8)]), faq_search=broken)
    result = await router.route("hak aku apa aja")
    assert (result.route, result.faq_id) == ("faq", "hak_pmi")


async def test_faq_with_too_little_evidence_for_any_entry_gives_suggestions():
    router = router_returning(faq_parse([("hak_pmi", 0.12), ("kirim_uang", 0.1)]),
                              faq_search=lambda text: [("kirim_uang", 0.05)])
    result = await router.route("hmm itu gimana")
    assert result.route == "fallback"
    assert {s.key for s in result.suggestions} >= {"hak_pmi", "kirim_uang"}


async def test_a_disabled_entry_is_never_picked_or_suggested():
    parsed = faq_parse([("kirim_uang", 0.9), ("hak_pmi", 0.4)])
    live = {"hak_pmi"}
    router = router_returning(parsed, faq_search=lambda text: [("kirim_uang", 0.8)], faq_live=live.__contains__)
    result = await router.route("cara kirim uang")
    assert (result.route, result.faq_id) == ("faq", "hak_pmi")
    weak = faq_parse([("kirim_uang", 0.15), ("hak_pmi", 0.1)])
    weak["intent"]["confidence"] = 0.3
    result = await router_returning(weak, faq_live=live.__contains__).route("hmm")
    assert result.route == "fallback" and "kirim_uang" not in [s.key for s in result.suggestions]
