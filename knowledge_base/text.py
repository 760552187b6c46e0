"""Text normalisation shared by search, alias matching and the near-duplicate check.

Workers write informal Indonesian: abbreviations (sy, gk, blm, tdk, gmn, brp), stretched letters, English mixed in.
This module maps such forms to one canonical token so that keyword overlap works. The abbreviation list follows
the chat forms listed in shared/knowledge/pmi_facts.md section 5.2 (checked against public lexicons).
"""
from __future__ import annotations

import re
import unicodedata

# chat form -> canonical token(s)
ABBREVIATIONS: dict[str, str] = {
    # negation
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "ngga": "tidak", "nggak": "tidak", "engga": "tidak",
    "enggak": "tidak", "tdk": "tidak", "tak": "tidak", "g": "tidak", "gag": "tidak", "kagak": "tidak",
    "gaboleh": "tidak boleh", "gabisa": "tidak bisa", "gamau": "tidak mau",
    # pronouns
    "sy": "saya", "aku": "saya", "aq": "saya", "gw": "saya", "gue": "saya", "sya": "saya", "saye": "saya",
    # common words
    "blm": "belum", "blom": "belum", "belom": "belum", "yg": "yang", "udh": "sudah", "udah": "sudah",
    "sdh": "sudah", "dah": "sudah", "krn": "karena", "karna": "karena", "tp": "tapi", "tapi": "tapi",
    "jg": "juga", "dr": "dari", "utk": "untuk", "untk": "untuk", "buat": "untuk", "sm": "sama", "dgn": "dengan",
    "gmn": "bagaimana", "gimana": "bagaimana", "gmana": "bagaimana", "bgmn": "bagaimana", "knp": "kenapa",
    "skrg": "sekarang", "kmrn": "kemarin", "bsk": "besok", "lg": "lagi", "msh": "masih", "jd": "jadi",
    "bs": "bisa", "bisakah": "bisa", "bln": "bulan", "thn": "tahun", "th": "tahun", "hr": "hari", "tlg": "tolong",
    "plg": "pulang", "mksh": "terima kasih", "makasih": "terima kasih", "bgt": "banget", "dpt": "dapat",
    "dapet": "dapat", "org": "orang", "tmn": "teman", "temen": "teman", "brp": "berapa", "brapa": "berapa",
    "dmn": "mana", "dimana": "mana", "kmn": "mana", "kemana": "mana", "mau": "ingin", "pengen": "ingin",
    "pingin": "ingin", "kpn": "kapan", "ap": "apa", "apa2": "apa", "ato": "atau", "atw": "atau",
    "dlm": "dalam", "klo": "kalau", "kalo": "kalau", "kl": "kalau", "bner": "benar", "bener": "benar",
    "nomer": "nomor", "no": "nomor", "nmr": "nomor", "telp": "telepon", "tlp": "telepon", "telfon": "telepon",
    "nelpon": "telepon", "hub": "hubungi", "ngadu": "adu", "aduan": "adu", "pengaduan": "adu", "mengadu": "adu",
    "gj": "gaji", "gajih": "gaji", "salary": "gaji", "passport": "paspor", "pasport": "paspor", "paspot": "paspor",
    "agency": "agensi", "agen": "agensi", "agent": "agensi", "pt": "agensi", "pjtki": "p3mi", "pptkis": "p3mi",
    "tki": "pmi", "tkw": "pmi", "bmi": "pmi", "cpmi": "pmi", "kbri": "perwakilan", "kjri": "perwakilan",
    "kdei": "perwakilan", "kedutaan": "perwakilan", "konsulat": "perwakilan", "embassy": "perwakilan",
    "consulate": "perwakilan", "bp2mi": "kp2mi", "bnp2tki": "kp2mi", "boss": "majikan", "bos": "majikan",
    "employer": "majikan", "bpjstk": "bpjs", "jamsos": "bpjs", "hape": "hp", "handphone": "hp",
    "free": "gratis", "cost": "biaya", "fee": "biaya", "ongkos": "biaya", "contract": "kontrak",
    "kontrk": "kontrak", "kontak": "kontak", "cuti": "libur", "off": "libur", "holiday": "libur",
}

STOPWORDS = frozenset(
    "saya kamu anda yang di ke dari apa apakah ini itu ya yah kak kakak min admin mas mbak bu pak dong sih aja saja "
    "kah lah nih tuh deh kok ok oke the a an is are to of and or for my me i do does can how what "
    "bagaimana gitu gini atau dan dengan untuk pada sama juga jadi ada adalah akan sudah masih lagi mohon tolong "
    "nya mana kalau tapi karena".split()
)

_SUFFIXES = ("nya", "kah", "lah")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_STRETCH = re.compile(r"([a-z])\1{2,}")


def fold(text: str) -> str:
    """Lower-case, strip accents, punctuation to spaces, collapse spaces."""
    text = (text or "").lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _STRETCH.sub(r"\1", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def _canonical(token: str) -> str:
    token = ABBREVIATIONS.get(token, token)
    if " " in token:
        return token
    for suffix in _SUFFIXES:
        if len(token) > len(suffix) + 3 and token.endswith(suffix):
            stem = token[: -len(suffix)]
            return ABBREVIATIONS.get(stem, stem)
    return token


def tokens(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Canonical tokens of a text, in order (duplicates kept)."""
    out: list[str] = []
    for raw in fold(text).split():
        for token in _canonical(raw).split():
            if drop_stopwords and token in STOPWORDS:
                continue
            out.append(token)
    return out


def token_set(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
