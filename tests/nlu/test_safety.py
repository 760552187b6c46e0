"""nlu.safety: the emergency lexicon (works without the NLU server)."""

import pytest

from nlu.safety import danger_match, danger_match_normalized, danger_matches


@pytest.mark.parametrize(
    "text",
    [
        # violence, with di- prefix, -in/-i suffixes, separated prefix, slang and typos
        "tolong sy dipukul majikan",
        "Tlg sy d pukulin majikn",
        "saya dipukuli tiap hari",
        # taken somewhere against one's will, not knowing where
        "aku gak tau mau dibawa kemana sama agen",
        "aku ditampar nyonya",
        "sy ditendang bos",
        "majikan mukul aku",
        "majikan nendang perut saya",
        "saya disiksa",
        "saya dianiaya",
        "sy dijambak trs dicekik",
        "tangan saya disiram air panas",
        "majikan menyetrum saya",
        "saya disetrum pakai kabel",
        # confinement
        "saya dikurung di gudang",
        "saya disekap agen",
        "sy dikunci di kamar",
        "sy di kunciin d kamar mandi",
        "i am locked in the room",
        # sexual violence
        "saya diperkosa",
        "sy dilecehkan majikan laki",
        "sy dilecehin anak majikan",
        "ada pelecehan tadi malam",
        "saya dicabuli sopir",
        "someone raped me",
        # threats
        "saya diancam dibunuh",
        "majikan ancam bunuh saya",
        "majikan ngancem mau bunuh aku",
        # self-harm
        "mau bunuh diri aja",
        "aku pengen mati",
        "saya ingin mati",
        "lebih baik saya mati",
        "i want to kill myself",
        # medical
        "teman saya pingsan",
        "sy pendarahan",
        "kepala saya berdarah",
        "saya tidak bisa napas",
        "sesak nafas parah",
        "saya kecelakaan motor",
        # trafficking in progress
        "saya dijual agen ke orang lain",
        "kami disandera",
        "kabur tapi dikejar",
        "gak dikasih makan berhari-hari",
        "sy gk dikasih makan 3 hari",
        # explicit calls for help
        "tolong!!",
        "Tolongggg!!!",
        "TOLONG",
        "tolong saya",
        "tolong tolong",
        "SOS",
        "help me",
        "darurat kak",
        # colloquial active forms, injuries, confinement, farewell signs
        "bos nempeleng saya tadi",
        "pintu kamar digembok dari luar",
        "dia remas dada saya",
        "my sister slit her wrist",
        "tolong kak saya ketakutan",
        "kami diawasi preman di mess",
        "aku udah minum sebotol obat",
    ],
)
def test_danger_is_caught(text):
    assert danger_match(text), text


@pytest.mark.parametrize(
    "text",
    [
        "pukul 10 libur",
        "jam berapa pukul 10 libur",
        "gak tau paketnya dibawa kemana sama kurir",
        "libur mulai pukul 10 pagi",
        "pukul 10 saya harus sudah pulang",
        "jam 5 saya bangun",
        "tolong info gaji UMR HK",
        "tolong info",
        "tolong dong info bpjs",
        "tolong saya mau tanya soal gaji",
        "tolong saya cek status paspor",
        "help",  # the menu command
        "hp saya mau mati",
        "batre hp mau mati",
        "mati lampu di mess",
        "nomor darurat kbri berapa",
        "tiket dijual dimana",
        "saya dikejar deadline",
        "keluarga diteror debt collector",
        "paspor dikunci dalam lemari majikan",
        "tidak dikasih makan yang layak setiap hari",
        "klaim bpjs kecelakaan kerja gmn",
        "tahun lalu aku pernah dipukul majikan lama",
        "majikan marah tapi tidak pernah dipukul",
        "gaji dipukul rata 3000",
        "gusi saya berdarah",
        "film horor bikin mau mati ketakutan",
        "disuruh tidur sama nenek yang saya jaga",
        "gaji sy blm dibayar 3 bln",
        "majikan suka marah-marah dan bentak",
        "sosial media majikan",
        "saya aman",
        "majikan sebelumnya pernah menampar saya, sekarang sudah pindah",
        "majikan lapor ke kantor lalu panggil polisi buat saya",
        "kulit tangan melepuh kena sabun",
    ],
)
def test_non_emergencies_do_not_fire(text):
    assert danger_match(text) is None, (text, danger_match(text))


def test_returns_the_matched_term():
    assert danger_match("tolong sy dipukul") == "dipukul"
    assert danger_match("majikan mukul aku") == "memukul saya"
    assert danger_match("Tolongggg!!!") == "tolong!!!"


def test_exception_does_not_hide_other_danger_words():
    # "dipukul rata" is an expression, but "dikurung" still fires
    assert danger_match("gaji dipukul rata dan saya dikurung") == "dikurung"
    # a past event is a case; a present danger in the same message still fires
    assert danger_match("tahun lalu dipukul majikan lama, sekarang saya disekap agen") == "disekap"


def test_empty_and_normalized_entry_points():
    assert danger_match("") is None
    assert danger_match("   ") is None
    assert danger_match_normalized("saya dipukuli") == "dipukuli"
    assert danger_matches("sy dipukul dan dikurung") == ["dipukul", "dikurung"]


def test_word_boundaries():
    assert danger_match("sosis") is None
    assert danger_match("dipukulkan") is not None
    assert danger_match("sos!") == "sos"
