"""Everything the bot says to workers, Indonesian first, English second.

Short sentences and everyday words: many readers have basic schooling and read on a small, cheap phone.
Texts are HTML for Telegram; values put into them are escaped by `t()`.
"""
from __future__ import annotations

import html

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "id": "Halo {name}! 👋 Saya <b>Sahabat PMI</b>, teman untuk pekerja migran Indonesia.\n"
              "Saya bisa menjawab pertanyaan, membantu melapor masalah ke petugas, dan menanyakan kabar Anda.\n\n"
              "Pilih bahasa / Choose your language:",
        "en": "Hello {name}! 👋 I am <b>Sahabat PMI</b>, a friend for Indonesian migrant workers.\n"
              "I answer questions, help you report a problem to an officer, and check that you are safe.\n\n"
              "Pilih bahasa / Choose your language:",
    },
    "urgent_line": {
        "id": "🆘 Dalam bahaya? Tekan tombol <b>🆘 DARURAT</b> atau ketik /darurat kapan saja.",
        "en": "🆘 In danger? Press <b>🆘 DARURAT</b> or type /darurat at any time.",
    },
    "consent": {
        "id": "<b>Sebelum mulai, izinkan kami menyimpan data Anda.</b>\n\n"
              "Yang kami simpan: negara, kota, jenis pekerjaan, jawaban cek keamanan, dan laporan masalah "
              "yang Anda kirim.\n"
              "Yang bisa melihat: hanya petugas perlindungan Sahabat PMI. Laporan dibagikan ke KBRI/KJRI atau "
              "KP2MI hanya jika Anda setuju.\n"
              "Anda bisa menghapus data kapan saja dengan /hapus.\n\n"
              "Apakah Anda setuju?",
        "en": "<b>Before we start, please allow us to store your data.</b>\n\n"
              "What we store: country, city, type of work, safety check-in answers and the problems you report.\n"
              "Who can see it: only Sahabat PMI protection officers. A report goes to the embassy/consulate or "
              "KP2MI only if you agree.\n"
              "You can delete your data at any time with /hapus.\n\n"
              "Do you agree?",
    },
    "consent_yes": {"id": "✅ Setuju", "en": "✅ I agree"},
    "consent_no": {"id": "❌ Tidak setuju", "en": "❌ I do not agree"},
    "consent_declined": {
        "id": "Baik, kami tidak menyimpan data pribadi Anda. Anda tetap bisa bertanya dan melihat nomor darurat.\n"
              "Jika berubah pikiran, ketik /start.",
        "en": "OK, we do not store your personal data. You can still ask questions and see emergency numbers.\n"
              "If you change your mind, type /start.",
    },
    "ask_country": {
        "id": "Anda bekerja di negara mana?",
        "en": "Which country do you work in?",
    },
    "country_other": {"id": "🌍 Negara lain", "en": "🌍 Other country"},
    "ask_country_text": {
        "id": "Tulis nama negaranya, ya.",
        "en": "Please type the name of the country.",
    },
    "ask_city": {
        "id": "Di kota mana? Tulis nama kotanya (atau tekan Lewati).",
        "en": "Which city? Type the city name (or press Skip).",
    },
    "ask_sector": {
        "id": "Apa pekerjaan Anda?",
        "en": "What is your job?",
    },
    "ask_checkin": {
        "id": "Mau saya tanya kabar Anda secara rutin? Saya akan kirim pesan <i>\"Apakah Anda aman?\"</i>. "
              "Kalau Anda tidak menjawab, petugas akan memeriksa.",
        "en": "Shall I check on you regularly? I will send <i>\"Are you safe?\"</i>. "
              "If you do not answer, an officer will follow up.",
    },
    "skip": {"id": "⏭ Lewati", "en": "⏭ Skip"},
    "onboarding_done": {
        "id": "Terima kasih! Profil Anda tersimpan. ✅\n\n"
              "Sekarang Anda bisa menulis pertanyaan atau masalah Anda dengan kata-kata sendiri. Contoh:\n"
              "• <i>gaji sy blm dibayar 2 bulan</i>\n"
              "• <i>nomor kbri brp?</i>\n"
              "• <i>paspor sy ditahan agen</i>\n\n"
              "Ubah profil: /profil · Bahasa: /bahasa · Bantuan: /help",
        "en": "Thank you! Your profile is saved. ✅\n\n"
              "You can now write your question or problem in your own words. For example:\n"
              "• <i>my salary has not been paid for 2 months</i>\n"
              "• <i>what is the embassy number?</i>\n\n"
              "Change profile: /profil · Language: /bahasa · Help: /help",
    },
    "help": {
        "id": "<b>Sahabat PMI bisa membantu:</b>\n"
              "• Menjawab pertanyaan tentang kerja di luar negeri (tulis saja, atau /info)\n"
              "• Melapor masalah ke petugas: gaji, paspor, kekerasan, agen, sakit, ingin pulang\n"
              "• Keadaan darurat: /darurat atau tombol 🆘\n"
              "• Cek keamanan rutin: /checkin\n"
              "• Lihat laporan Anda: /status\n"
              "• Profil: /profil · Bahasa: /bahasa · Hapus data: /hapus",
        "en": "<b>Sahabat PMI can help you:</b>\n"
              "• Answer questions about working abroad (just write, or /info)\n"
              "• Report a problem to an officer: wages, passport, violence, agency, illness, going home\n"
              "• Emergency: /darurat or the 🆘 button\n"
              "• Regular safety check-ins: /checkin\n"
              "• See your reports: /status\n"
              "• Profile: /profil · Language: /bahasa · Delete data: /hapus",
    },
    "profile": {
        "id": "<b>Profil Anda</b>\nNegara: {country}\nKota: {city}\nPekerjaan: {sector}\nCek keamanan: {checkin}\n"
              "Bahasa: Bahasa Indonesia\n\nPilih yang ingin diubah:",
        "en": "<b>Your profile</b>\nCountry: {country}\nCity: {city}\nJob: {sector}\nSafety check-ins: {checkin}\n"
              "Language: English\n\nChoose what to change:",
    },
    "profile_no_consent": {
        "id": "Anda belum setuju data disimpan, jadi profil kosong. Ketik /start untuk mulai.",
        "en": "You have not agreed to store data, so there is no profile. Type /start to begin.",
    },
    "not_set": {"id": "belum diisi", "en": "not set"},
    "edit_country": {"id": "Negara", "en": "Country"},
    "edit_city": {"id": "Kota", "en": "City"},
    "edit_sector": {"id": "Pekerjaan", "en": "Job"},
    "edit_checkin": {"id": "Cek keamanan", "en": "Check-ins"},
    "saved": {"id": "Tersimpan ✅", "en": "Saved ✅"},
    "language_set": {"id": "Bahasa: Bahasa Indonesia ✅", "en": "Language: English ✅"},
    "choose_language": {"id": "Pilih bahasa / Choose your language:", "en": "Pilih bahasa / Choose your language:"},
    "stale_button": {
        "id": "Tombol ini sudah tidak berlaku. Silakan mulai lagi dari menu.",
        "en": "This button is no longer valid. Please start again from the menu.",
    },
    "menu_sos": {"id": "🆘 DARURAT", "en": "🆘 DARURAT"},
    "menu_info": {"id": "ℹ️ Info", "en": "ℹ️ Info"},
    "menu_status": {"id": "📄 Laporan saya", "en": "📄 My reports"},
    "menu_help": {"id": "❓ Bantuan", "en": "❓ Help"},
    "unsupported_media": {
        "id": "Maaf, saya belum bisa membaca {kind}. Tolong tulis pesan Anda dengan huruf. "
              "Jika Anda dalam bahaya, tekan 🆘 DARURAT.",
        "en": "Sorry, I cannot read {kind} yet. Please write your message in text. "
              "If you are in danger, press 🆘 DARURAT.",
    },
    "too_long": {
        "id": "Pesan Anda panjang sekali. Saya baca bagian awalnya saja.",
        "en": "Your message is very long. I read only the first part.",
    },
    "empty_text": {
        "id": "Saya tidak melihat tulisan di pesan itu. Tulis pertanyaan atau masalah Anda, ya.",
        "en": "I see no words in that message. Please write your question or problem.",
    },
    "error_retry": {
        "id": "Maaf, ada gangguan di sistem kami. Pesan Anda tidak hilang. Coba lagi sebentar lagi. "
              "Jika darurat, tekan 🆘 DARURAT.",
        "en": "Sorry, our system has a problem. Your message is not lost. Please try again soon. "
              "In an emergency, press 🆘 DARURAT.",
    },
    # --- routes -------------------------------------------------------------------------------------------
    "chitchat_greet": {
        "id": "Halo! 😊 Ada yang bisa saya bantu? Tulis pertanyaan atau masalah Anda.",
        "en": "Hello! 😊 How can I help? Write your question or problem.",
    },
    "chitchat_thanks": {
        "id": "Sama-sama! Jaga diri baik-baik. 🙏",
        "en": "You are welcome! Take care. 🙏",
    },
    "chitchat_goodbye": {
        "id": "Sampai jumpa! Jika butuh bantuan, tulis saja kapan pun. 🙏",
        "en": "Goodbye! Write any time you need help. 🙏",
    },
    "chitchat_capabilities": {"id": "{help}", "en": "{help}"},
    "checkin_ok": {
        "id": "Terima kasih. Senang Anda aman. 🙏",
        "en": "Thank you. Glad you are safe. 🙏",
    },
    "fallback": {
        "id": "Maaf, saya belum mengerti. 🙏 Mungkin maksud Anda salah satu ini?",
        "en": "Sorry, I did not understand. 🙏 Did you mean one of these?",
    },
    "fallback_no_suggestions": {
        "id": "Maaf, saya belum mengerti. 🙏 Coba tulis dengan kata lain, atau pilih di bawah.",
        "en": "Sorry, I did not understand. 🙏 Try other words, or choose below.",
    },
    "nlu_down": {
        "id": "Maaf, sistem pemahaman pesan sedang gangguan. Pesan Anda sudah kami terima. "
              "Pilih topik di bawah atau minta petugas.",
        "en": "Sorry, our message reader has a problem right now. We received your message. "
              "Choose a topic below or ask for an officer.",
    },
    "talk_to_officer": {"id": "👤 Bicara dengan petugas", "en": "👤 Talk to an officer"},
    "browse_info": {"id": "📚 Lihat semua info", "en": "📚 Browse all topics"},
    "emergency_intro": {
        "id": "🆘 <b>Jika Anda dalam bahaya sekarang, hubungi segera:</b>",
        "en": "🆘 <b>If you are in danger now, call right away:</b>",
    },
    "emergency_outro": {
        "id": "Jika bisa, bagikan lokasi Anda dengan tombol di bawah. Tetap di tempat aman.",
        "en": "If you can, share your location with the button below. Stay somewhere safe.",
    },
    "case_understood": {
        "id": "Saya mengerti, ini masalah <b>{category}</b>. Anda tidak sendiri. 🙏\n"
              "Untuk melapor dan minta bantuan sekarang, hubungi:",
        "en": "I understand, this is about <b>{category}</b>. You are not alone. 🙏\n"
              "To report it and get help now, contact:",
    },
    "info_intro": {"id": "Pilih topik:", "en": "Choose a topic:"},
    "info_category": {"id": "Pilih pertanyaan:", "en": "Choose a question:"},
    "location_received": {
        "id": "Lokasi Anda sudah diterima. 📍 Jika dalam bahaya, tetap di tempat aman dan hubungi nomor darurat.",
        "en": "Your location was received. 📍 If you are in danger, stay safe and call the emergency number.",
    },
    "unknown_command": {
        "id": "Perintah itu tidak saya kenal. Lihat /help untuk daftar perintah.",
        "en": "I do not know that command. See /help for the list.",
    },
    "share_location": {"id": "📍 Kirim lokasi saya", "en": "📍 Send my location"},
}


def t(key: str, lang: str = "id", **values: object) -> str:
    """The text `key` in `lang` (falling back to Indonesian), with escaped values filled in."""
    entry = TEXTS[key]
    template = entry.get(lang) or entry["id"]
    if not values:
        return template
    safe = {k: v if isinstance(v, Raw) else html.escape(str(v)) for k, v in values.items()}
    return template.format(**safe)


class Raw(str):
    """A value already in HTML (e.g. another text) that must not be escaped again."""


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


SECTOR_LABELS = {
    "domestic": {"id": "🏠 Rumah tangga", "en": "🏠 Domestic work"},
    "caregiver": {"id": "🧓 Perawat lansia/anak", "en": "🧓 Caregiver"},
    "manufacturing": {"id": "🏭 Pabrik", "en": "🏭 Factory"},
    "plantation": {"id": "🌴 Perkebunan", "en": "🌴 Plantation"},
    "construction": {"id": "🏗 Konstruksi", "en": "🏗 Construction"},
    "fishing": {"id": "🚢 Kapal / nelayan", "en": "🚢 Ship / fishing"},
    "hospitality": {"id": "🏨 Hotel / restoran", "en": "🏨 Hotel / restaurant"},
    "other": {"id": "🔧 Lainnya", "en": "🔧 Other"},
}

FREQUENCY_LABELS = {
    "daily": {"id": "Setiap hari", "en": "Every day"},
    "every_3_days": {"id": "Tiap 3 hari", "en": "Every 3 days"},
    "weekly": {"id": "Seminggu sekali", "en": "Once a week"},
    "off": {"id": "Tidak usah", "en": "No, thanks"},
}

CATEGORY_LABELS = {
    "wages": {"id": "gaji", "en": "wages"},
    "documents": {"id": "dokumen / paspor", "en": "documents / passport"},
    "working_conditions": {"id": "kondisi kerja", "en": "working conditions"},
    "abuse": {"id": "kekerasan atau perlakuan buruk", "en": "abuse or ill-treatment"},
    "recruitment": {"id": "agen / perekrutan", "en": "agency / recruitment"},
    "health": {"id": "kesehatan", "en": "health"},
    "repatriation": {"id": "ingin pulang", "en": "going home"},
    "legal_status": {"id": "status hukum / izin tinggal", "en": "legal status / permit"},
    "trafficking": {"id": "perdagangan orang", "en": "trafficking"},
    "other": {"id": "masalah lain", "en": "other problem"},
}
