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
        "id": "Maaf, ada gangguan di sistem kami. Jika belum ada jawaban, coba kirim lagi pesan Anda sebentar lagi. "
              "Jika darurat, tekan 🆘 DARURAT.",
        "en": "Sorry, our system has a problem. If you got no answer, please send your message again in a moment. "
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
    "flood": {
        "id": "Pesan Anda banyak sekali dalam waktu singkat. Tunggu sebentar, lalu kirim lagi, ya. "
              "Jika darurat, tekan 🆘 DARURAT.",
        "en": "You sent very many messages in a short time. Please wait a moment, then send again. "
              "In an emergency, press 🆘 DARURAT.",
    },
    "unknown_command": {
        "id": "Perintah itu tidak saya kenal. Lihat /help untuk daftar perintah.",
        "en": "I do not know that command. See /help for the list.",
    },
    "share_location": {"id": "📍 Kirim lokasi saya", "en": "📍 Send my location"},
    # --- protection cases (handlers/case_intake.py, case_worker.py, emergency.py) -----------------------------
    "intake_consent": {
        "id": "Untuk meneruskan masalah Anda ke petugas, saya perlu <b>menyimpan cerita Anda</b>. "
              "Sebelumnya Anda memilih data tidak disimpan.\n\n"
              "Yang disimpan: cerita, tempat dan bukti untuk laporan ini saja.\n"
              "Yang bisa melihat: hanya petugas perlindungan Sahabat PMI. Dibagikan ke KBRI/KJRI atau KP2MI "
              "hanya jika Anda izinkan nanti.\n\n"
              "Boleh saya simpan untuk laporan ini?",
        "en": "To pass your problem to an officer, I need to <b>store your story</b>. "
              "Earlier you chose not to store data.\n\n"
              "What is stored: the story, place and evidence for this report only.\n"
              "Who can see it: only Sahabat PMI protection officers. It goes to the embassy/consulate or KP2MI "
              "only if you allow it later.\n\n"
              "May I store it for this report?",
    },
    "intake_consent_yes": {"id": "✅ Boleh, simpan", "en": "✅ Yes, store it"},
    "intake_consent_no": {"id": "❌ Tidak", "en": "❌ No"},
    "intake_consent_declined": {
        "id": "Baik, tidak ada yang saya simpan. Anda tetap bisa minta bantuan langsung ke nomor ini:",
        "en": "OK, I store nothing. You can still ask for help directly at these numbers:",
    },
    "intake_category": {
        "id": "Saya mengerti, ini masalah <b>{category}</b>. Anda tidak sendiri. 🙏\n"
              "Saya akan tanya beberapa hal singkat, lalu laporan Anda saya teruskan ke petugas.\n\nBenar masalahnya "
              "tentang {category}?",
        "en": "I understand, this is about <b>{category}</b>. You are not alone. 🙏\n"
              "I will ask a few short questions, then pass your report to an officer.\n\nIs it about {category}?",
    },
    "intake_category_other": {
        "id": "Baik, saya bantu teruskan masalah Anda ke petugas. 🙏\n"
              "Saya akan tanya beberapa hal singkat dulu.\n\nMasalahnya tentang apa? Pilih yang paling cocok, atau "
              "tekan <b>Lanjut</b>.",
        "en": "OK, I will help pass your problem to an officer. 🙏\n"
              "First a few short questions.\n\nWhat is the problem about? Choose the closest, or press <b>Next</b>.",
    },
    "intake_category_yes": {"id": "✅ Benar", "en": "✅ Yes"},
    "intake_category_change": {"id": "✏️ Bukan, pilih lain", "en": "✏️ No, choose another"},
    "intake_pick_category": {"id": "Pilih jenis masalahnya:", "en": "Choose the kind of problem:"},
    "intake_what": {
        "id": "Ceritakan singkat <b>apa yang terjadi</b>.\nAnda juga bisa kirim foto, dokumen, pesan suara atau "
              "lokasi sebagai bukti.",
        "en": "Tell me briefly <b>what happened</b>.\nYou can also send photos, documents, voice notes or your "
              "location as evidence.",
    },
    "intake_what_more": {
        "id": "Anda menulis: <i>{text}</i>\n\nAda yang mau ditambahkan? Tulis saja, atau tekan <b>Lanjut</b>.\n"
              "Anda juga bisa kirim foto, dokumen atau pesan suara sebagai bukti.",
        "en": "You wrote: <i>{text}</i>\n\nAnything to add? Just write, or press <b>Next</b>.\n"
              "You can also send photos, documents or voice notes as evidence.",
    },
    "intake_next": {"id": "➡️ Lanjut", "en": "➡️ Next"},
    "intake_since": {"id": "<b>Sejak kapan</b> masalah ini terjadi?", "en": "<b>Since when</b> has this been happening?"},
    "intake_where_profile": {
        "id": "Apakah Anda sekarang di <b>{place}</b>?\nJika bukan, tulis negara dan kota Anda sekarang.",
        "en": "Are you now in <b>{place}</b>?\nIf not, type your country and city now.",
    },
    "intake_where": {
        "id": "<b>Di mana</b> Anda sekarang? Tulis negara dan kota.",
        "en": "<b>Where</b> are you now? Type the country and city.",
    },
    "intake_employer": {
        "id": "Siapa nama <b>majikan atau agen</b> Anda? (boleh dilewati)",
        "en": "What is the name of your <b>employer or agency</b>? (you may skip)",
    },
    "intake_safe": {"id": "Apakah Anda <b>aman</b> sekarang?", "en": "Are you <b>safe</b> right now?"},
    "intake_safe_yes": {"id": "✅ Ya, saya aman", "en": "✅ Yes, I am safe"},
    "intake_safe_no": {"id": "🆘 Tidak aman", "en": "🆘 Not safe"},
    "intake_contact": {
        "id": "Boleh petugas <b>menghubungi Anda</b> lewat chat ini?",
        "en": "May an officer <b>contact you</b> in this chat?",
    },
    "intake_share": {
        "id": "Boleh laporan ini kami teruskan ke <b>KBRI/KJRI atau KP2MI</b> supaya mereka bisa membantu?\n"
              "Tanpa izin Anda, laporan hanya dilihat petugas Sahabat PMI.",
        "en": "May we pass this report to the <b>Indonesian embassy/consulate or KP2MI</b> so they can help?\n"
              "Without your permission, only Sahabat PMI officers see it.",
    },
    "yes_allow": {"id": "✅ Ya, boleh", "en": "✅ Yes"},
    "no_deny": {"id": "❌ Tidak", "en": "❌ No"},
    "intake_confirm": {
        "id": "<b>Cek laporan Anda:</b>\n\n{summary}\n\nSudah benar? Tekan <b>Kirim laporan</b>, atau pilih yang "
              "mau diubah.",
        "en": "<b>Check your report:</b>\n\n{summary}\n\nIs it right? Press <b>Send report</b>, or choose what to "
              "change.",
    },
    "intake_send": {"id": "📨 Kirim laporan", "en": "📨 Send report"},
    "intake_send_now": {"id": "📨 Kirim sekarang", "en": "📨 Send now"},
    "intake_evidence_ok": {
        "id": "📎 Bukti diterima ({count}). Lanjutkan menjawab pertanyaan di atas, atau tekan Kirim sekarang.",
        "en": "📎 Evidence received ({count}). Go on with the question above, or press Send now.",
    },
    "intake_evidence_full": {
        "id": "Bukti sudah banyak sekali. Kirim laporan dulu; setelah itu bukti lain bisa dikirim ke petugas.",
        "en": "That is a lot of evidence already. Send the report first; then more can go to the officer.",
    },
    "intake_choose_button": {
        "id": "Tulisan Anda saya simpan. 🙏 Tolong jawab dengan tombol di atas.",
        "en": "I saved what you wrote. 🙏 Please answer with the buttons above.",
    },
    "intake_consent_first": {
        "id": "Sebelum saya simpan apa pun, tolong jawab dulu: boleh saya simpan laporan ini?",
        "en": "Before I store anything, please answer first: may I store this report?",
    },
    "case_opened": {
        "id": "✅ <b>Laporan Anda terkirim ke petugas.</b>\nNomor laporan: <b>{ref}</b> (simpan nomor ini)\n\n"
              "Apa selanjutnya:\n"
              "• Petugas membaca laporan Anda, biasanya dalam {wait}.\n"
              "• Balasan petugas muncul di chat ini. Pesan Anda berikutnya langsung diteruskan ke petugas.\n"
              "• Cek status kapan saja: /status\n"
              "• Jika dalam bahaya: tekan 🆘 DARURAT.",
        "en": "✅ <b>Your report was sent to the officers.</b>\nReference number: <b>{ref}</b> (keep it)\n\n"
              "What happens next:\n"
              "• An officer reads your report, usually within {wait}.\n"
              "• The officer's reply appears in this chat. Your next messages go straight to the officer.\n"
              "• Check the status any time: /status\n"
              "• In danger: press 🆘 DARURAT.",
    },
    "case_opened_partial": {
        "id": "Laporan dibuat dengan informasi yang sudah Anda berikan. Jika tidak jadi melapor, tekan "
              "<b>Batalkan laporan</b>.",
        "en": "The report was made with what you gave so far. If you did not mean to report, press "
              "<b>Cancel report</b>.",
    },
    "case_withdraw": {"id": "🗑 Batalkan laporan", "en": "🗑 Cancel report"},
    "case_withdrawn": {
        "id": "Laporan {ref} dibatalkan. Jika butuh bantuan lagi, tulis saja kapan pun. 🙏",
        "en": "Report {ref} was cancelled. If you need help again, just write. 🙏",
    },
    "case_open_failed": {
        "id": "Maaf, laporan belum bisa tersimpan karena gangguan sistem. Jawaban Anda tidak hilang; coba tekan "
              "Kirim lagi sebentar lagi. Jika darurat, tekan 🆘 DARURAT.",
        "en": "Sorry, the report could not be saved because of a system problem. Your answers are not lost; try "
              "Send again soon. In an emergency, press 🆘 DARURAT.",
    },
    "no_intake": {
        "id": "Tidak ada laporan yang sedang diisi. Jika ada masalah, tulis saja ceritanya.",
        "en": "You are not filling in a report. If you have a problem, just write about it.",
    },
    "wait_minutes": {"id": "{n} menit", "en": "{n} minutes"},
    "wait_hours": {"id": "{n} jam", "en": "{n} hours"},
    "relay_ack": {
        "id": "📨 Pesan Anda diteruskan ke petugas (laporan {ref}). Petugas akan membalas di sini.",
        "en": "📨 Your message was passed to the officers (report {ref}). They will reply here.",
    },
    "officer_header": {"id": "👤 <b>Petugas Sahabat PMI</b> · {ref}", "en": "👤 <b>Sahabat PMI officer</b> · {ref}"},
    "notice_claimed": {
        "id": "👤 Laporan <b>{ref}</b> sekarang ditangani petugas. Balasan petugas muncul di chat ini; Anda bisa "
              "langsung menulis di sini.",
        "en": "👤 Report <b>{ref}</b> is now handled by an officer. The officer's replies appear in this chat; you "
              "can write here directly.",
    },
    "notice_ask_solved": {
        "id": "✅ Petugas menandai laporan <b>{ref}</b> selesai ({outcome}).\n\nApakah masalah Anda sudah selesai?",
        "en": "✅ The officer marked report <b>{ref}</b> as done ({outcome}).\n\nIs your problem solved?",
    },
    "solved_yes": {"id": "👍 Ya, sudah selesai", "en": "👍 Yes, solved"},
    "solved_no": {"id": "👎 Belum selesai", "en": "👎 Not solved"},
    "notice_reopened": {
        "id": "🔄 Laporan <b>{ref}</b> dibuka lagi oleh petugas.",
        "en": "🔄 Report <b>{ref}</b> was reopened by the officer.",
    },
    "case_closed_thanks": {
        "id": "Terima kasih. Laporan {ref} ditutup. Semoga sehat dan aman selalu. 🙏",
        "en": "Thank you. Report {ref} is closed. Stay safe and well. 🙏",
    },
    "case_reopened_by_worker": {
        "id": "Baik, laporan {ref} dibuka lagi. Petugas akan menghubungi Anda di sini.",
        "en": "OK, report {ref} is open again. An officer will contact you here.",
    },
    "status_none": {
        "id": "Anda belum punya laporan. Jika ada masalah, tulis saja ceritanya.",
        "en": "You have no reports. If you have a problem, just write about it.",
    },
    "status_title": {"id": "<b>Laporan Anda:</b>", "en": "<b>Your reports:</b>"},
    "status_line": {"id": "{icon} <b>{ref}</b> · {category}\n    {status} · {date}",
                    "en": "{icon} <b>{ref}</b> · {category}\n    {status} · {date}"},
    "status_footer": {
        "id": "Tulis nomor laporan untuk melihat satu laporan. Pesan Anda ke laporan yang masih terbuka diteruskan "
              "ke petugas.",
        "en": "Type a reference number to see one report. Messages about an open report go to the officer.",
    },
    "status_detail": {
        "id": "<b>{ref}</b> · {category}\nStatus: {status}\nDibuat: {date}\n{extra}",
        "en": "<b>{ref}</b> · {category}\nStatus: {status}\nCreated: {date}\n{extra}",
    },
    "case_not_found": {
        "id": "Nomor laporan itu tidak ada di laporan Anda. Lihat /status.",
        "en": "That reference number is not one of your reports. See /status.",
    },
    "emergency_case_opened": {
        "id": "🚨 Petugas kami sudah diberi tahu (laporan <b>{ref}</b>). Jika bisa, tulis di sini apa yang terjadi "
              "dan di mana Anda. Pesan Anda langsung diteruskan ke petugas.",
        "en": "🚨 Our officers have been alerted (report <b>{ref}</b>). If you can, write here what is happening "
              "and where you are. Your messages go straight to the officers.",
    },
    "emergency_case_failed": {
        "id": "⚠️ Sistem kami sedang gangguan, petugas mungkin terlambat tahu. Hubungi nomor di atas sekarang.",
        "en": "⚠️ Our system has a problem, officers may learn of this late. Call the numbers above now.",
    },
    "intake_summary": {
        "id": "Jenis masalah: {category}\nCerita: {what}\nSejak: {since}\nTempat: {where}\nMajikan/agen: {employer}\n"
              "Aman sekarang: {safe}\nBoleh dihubungi di sini: {contact}\nBoleh diteruskan ke KBRI/KP2MI: {share}\n"
              "Bukti: {evidence}",
        "en": "Problem: {category}\nStory: {what}\nSince: {since}\nPlace: {where}\nEmployer/agency: {employer}\n"
              "Safe now: {safe}\nMay be contacted here: {contact}\nMay go to the embassy/KP2MI: {share}\n"
              "Evidence: {evidence}",
    },
    "word_yes": {"id": "ya", "en": "yes"},
    "word_no": {"id": "tidak", "en": "no"},
    "word_files": {"id": "{n} file", "en": "{n} file(s)"},
    "intake_edit_what": {"id": "✏️ Cerita", "en": "✏️ Story"},
    "intake_edit_since": {"id": "✏️ Sejak", "en": "✏️ Since"},
    "intake_edit_where": {"id": "✏️ Tempat", "en": "✏️ Place"},
    "intake_edit_employer": {"id": "✏️ Majikan", "en": "✏️ Employer"},
    "intake_edit_category": {"id": "✏️ Jenis", "en": "✏️ Problem"},
    "intake_edit_share": {"id": "✏️ Izin", "en": "✏️ Permission"},
    "intake_cancelled": {
        "id": "Baik, dibatalkan. Tidak ada yang disimpan. Jika butuh bantuan, hubungi:",
        "en": "OK, cancelled. Nothing was stored. If you need help, contact:",
    },
    "only_officers": {
        "id": "Perintah ini hanya untuk petugas Sahabat PMI.",
        "en": "This command is only for Sahabat PMI officers.",
    },
    "emergency_relayed": {
        "id": "🚨 Pesan Anda diteruskan ke petugas sebagai DARURAT (laporan <b>{ref}</b>).",
        "en": "🚨 Your message was passed to the officers as an EMERGENCY (report <b>{ref}</b>).",
    },
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


# --- protection cases: labels ---------------------------------------------------------------------------------

CASE_STATUS_LABELS = {
    "new": {"id": "menunggu petugas", "en": "waiting for an officer"},
    "claimed": {"id": "sedang ditangani petugas", "en": "being handled by an officer"},
    "waiting_worker": {"id": "menunggu jawaban Anda", "en": "waiting for your answer"},
    "resolved": {"id": "selesai, menunggu konfirmasi Anda", "en": "done, waiting for your confirmation"},
    "closed": {"id": "ditutup", "en": "closed"},
}

CASE_OUTCOME_LABELS = {
    "solved": {"id": "masalah teratasi", "en": "problem solved"},
    "referred": {"id": "diteruskan ke KBRI/KJRI atau KP2MI", "en": "passed to the embassy/consulate or KP2MI"},
    "unreachable": {"id": "Anda tidak bisa dihubungi", "en": "you could not be reached"},
    "withdrawn": {"id": "dibatalkan oleh Anda", "en": "cancelled by you"},
    "other": {"id": "lainnya", "en": "other"},
}

SINCE_LABELS = {
    "today": {"id": "Hari ini", "en": "Today"},
    "week": {"id": "Minggu ini", "en": "This week"},
    "month": {"id": "Bulan ini", "en": "This month"},
    "longer": {"id": "Lebih dari sebulan", "en": "More than a month"},
}


# --- safety check-ins (handlers/checkin.py) -----------------------------------------------------------------

CHECKIN_TEXTS: dict[str, dict[str, str]] = {
    "ck_question": {
        "id": "👋 Halo! Ini cek keamanan rutin dari Sahabat PMI.\n<b>Apakah Anda aman?</b>\n"
              "Tekan <b>✅ Aman</b> jika semua baik, atau <b>🆘 Butuh bantuan</b> jika ada masalah.",
        "en": "👋 Hello! This is your regular safety check-in from Sahabat PMI.\n<b>Are you safe?</b>\n"
              "Press <b>✅ I am safe</b> if all is well, or <b>🆘 I need help</b> if something is wrong.",
    },
    "ck_reminder": {
        "id": "⏰ Kami belum dengar kabar Anda. <b>Apakah Anda aman?</b>\n"
              "Tekan salah satu tombol. Jika tidak ada jawaban, petugas kami akan memeriksa.",
        "en": "⏰ We have not heard from you yet. <b>Are you safe?</b>\n"
              "Please press a button. If there is no answer, our officer will follow up.",
    },
    "ck_btn_safe": {"id": "✅ Aman", "en": "✅ I am safe"},
    "ck_btn_help": {"id": "🆘 Butuh bantuan", "en": "🆘 I need help"},
    "ck_late_thanks": {
        "id": "Terima kasih, senang Anda aman. 🙏 Petugas sempat khawatir karena belum ada jawaban. "
              "Kami kabari mereka sekarang.",
        "en": "Thank you, glad you are safe. 🙏 Our officers were worried because there was no answer. "
              "We are telling them now.",
    },
    "ck_already": {"id": "Jawaban Anda sudah tercatat. Terima kasih! 🙏", "en": "Your answer is already saved. Thank you! 🙏"},
    "ck_help_start": {
        "id": "Baik, kami bantu. 🙏 Ceritakan masalah Anda.",
        "en": "OK, we will help. 🙏 Tell us about your problem.",
    },
    "ck_settings": {
        "id": "<b>Cek keamanan</b>\nJadwal: {frequency}, jam {time} waktu setempat ({zone})\n{state}",
        "en": "<b>Safety check-ins</b>\nSchedule: {frequency}, at {time} local time ({zone})\n{state}",
    },
    "ck_state_next": {"id": "Cek berikutnya: {when}", "en": "Next check-in: {when}"},
    "ck_state_paused": {"id": "⏸ Dijeda sampai {when}", "en": "⏸ Paused until {when}"},
    "ck_state_off": {"id": "Cek keamanan sedang mati.", "en": "Check-ins are turned off."},
    "ck_state_ended": {
        "id": "Cek keamanan berhenti karena Anda sudah pulang. 🏠",
        "en": "Check-ins stopped because you are back home. 🏠",
    },
    "ck_state_unreachable": {
        "id": "Kami tidak bisa mengirim pesan ke Anda sebelumnya. Sekarang sudah bisa lagi. ✅",
        "en": "We could not send you messages before. It works again now. ✅",
    },
    "ck_btn_frequency": {"id": "🔁 Seberapa sering", "en": "🔁 How often"},
    "ck_btn_time": {"id": "🕘 Ubah jam", "en": "🕘 Change time"},
    "ck_btn_pause": {"id": "⏸ Jeda", "en": "⏸ Pause"},
    "ck_btn_resume": {"id": "▶️ Lanjutkan", "en": "▶️ Resume"},
    "ck_btn_home": {"id": "🏠 Saya sudah pulang", "en": "🏠 I am back home"},
    "ck_btn_turn_on": {"id": "🔔 Nyalakan cek keamanan", "en": "🔔 Turn on check-ins"},
    "ck_choose_frequency": {"id": "Seberapa sering kami tanya kabar Anda?", "en": "How often shall we check on you?"},
    "ck_choose_time": {
        "id": "Jam berapa sebaiknya kami bertanya? (waktu setempat, {zone})\n"
              "Atau ketik misalnya: /checkin jam 09:30",
        "en": "What time suits you? (local time, {zone})\nOr type for example: /checkin time 09:30",
    },
    "ck_choose_pause": {
        "id": "Jeda berapa lama? Misalnya saat cuti atau pulang sebentar.\nAtau ketik misalnya: /checkin jeda 10",
        "en": "Pause for how long? For example during leave or a short trip home.\n"
              "Or type for example: /checkin pause 10",
    },
    "ck_days": {"id": "{n} hari", "en": "{n} days"},
    "ck_paused": {
        "id": "⏸ Cek keamanan dijeda sampai {when}. Nanti mulai lagi sendiri.\nIngin lebih cepat? Ketik /checkin.",
        "en": "⏸ Check-ins paused until {when}. They start again by themselves.\nSooner? Type /checkin.",
    },
    "ck_resumed": {"id": "▶️ Cek keamanan aktif lagi. Cek berikutnya: {when}.",
                   "en": "▶️ Check-ins are on again. Next check-in: {when}."},
    "ck_saved": {"id": "Tersimpan ✅ Cek berikutnya: {when}.", "en": "Saved ✅ Next check-in: {when}."},
    "ck_turned_off": {
        "id": "Cek keamanan dimatikan. Anda bisa menyalakannya lagi lewat /checkin.",
        "en": "Check-ins are turned off. You can turn them on again with /checkin.",
    },
    "ck_home_confirm": {
        "id": "Anda sudah pulang ke Indonesia dan tidak perlu cek keamanan lagi?\n"
              "Kami akan berhenti bertanya. Anda tetap bisa memakai bot ini kapan saja.",
        "en": "Are you back in Indonesia and no longer need check-ins?\n"
              "We will stop asking. You can still use this bot at any time.",
    },
    "ck_home_yes": {"id": "✅ Ya, saya sudah pulang", "en": "✅ Yes, I am home"},
    "ck_home_no": {"id": "❌ Tidak, batal", "en": "❌ No, cancel"},
    "ck_home_done": {
        "id": "Selamat datang di rumah! 🏠 Cek keamanan sudah berhenti. Jika berangkat kerja lagi, "
              "nyalakan lewat /checkin.",
        "en": "Welcome home! 🏠 Check-ins have stopped. If you go abroad to work again, turn them on with /checkin.",
    },
    "ck_home_cancelled": {"id": "Baik, cek keamanan tetap berjalan.", "en": "OK, check-ins continue."},
    "ck_needs_consent": {
        "id": "Cek keamanan perlu persetujuan penyimpanan data dulu. Ketik /start.",
        "en": "Check-ins need your agreement to store data first. Type /start.",
    },
    "ck_pause_range": {"id": "Jeda bisa 1 sampai {max} hari.", "en": "A pause can be 1 to {max} days."},
    "ck_time_quiet": {
        "id": "Jam itu termasuk jam istirahat malam ({start}-{end}). Pilih jam lain.",
        "en": "That time is in the night rest hours ({start}-{end}). Please choose another time.",
    },
    "ck_not_understood": {
        "id": "Maaf, saya tidak mengerti. Contoh: /checkin jeda 7 · /checkin jam 09:30 · /checkin lanjut",
        "en": "Sorry, I did not understand. Examples: /checkin pause 7 · /checkin time 09:30 · /checkin resume",
    },
    "ck_officer_summary": {
        "id": "<b>📋 Cek keamanan hari ini</b> ({day}, {zone})\n"
              "Jadwal hari ini: {due}\nSudah dikirim: {sent}\n✅ Aman: {ok}\n🆘 Minta bantuan: {help}\n"
              "⏳ Menunggu jawaban: {waiting}\n❌ Tidak dijawab: {missed}\n📣 Jadi kasus: {escalated}\n"
              "🚫 Tidak bisa dihubungi: {unreachable}\n🕒 Belum dikirim: {to_send}\n\n"
              "Pekerja dengan cek aktif: {active} · sedang jeda: {paused}",
        "en": "<b>📋 Safety check-ins today</b> ({day}, {zone})\n"
              "Due today: {due}\nSent: {sent}\n✅ Safe: {ok}\n🆘 Asked for help: {help}\n"
              "⏳ Waiting for an answer: {waiting}\n❌ Missed: {missed}\n📣 Escalated to cases: {escalated}\n"
              "🚫 Unreachable: {unreachable}\n🕒 Not sent yet: {to_send}\n\n"
              "Workers with check-ins on: {active} · paused: {paused}",
    },
    "ck_officers_only": {
        "id": "Perintah ini hanya untuk petugas.",
        "en": "This command is for officers only.",
    },
}
TEXTS.update(CHECKIN_TEXTS)


# --- privacy: /hapus (handlers/privacy.py) --------------------------------------------------------------------
# Said in both languages, Indonesian first: the worker must understand exactly what is deleted.

PRIVACY_TEXTS: dict[str, dict[str, str]] = {
    "priv_confirm": {
        "id": "🗑 <b>Hapus data saya</b>\n\n"
              "Yang akan dihapus:\n"
              "• profil Anda (negara, kota, pekerjaan)\n"
              "• jadwal cek keamanan\n"
              "• semua pesan Anda yang kami simpan\n"
              "{reports}"
              "Ini tidak bisa dibatalkan. Lanjutkan?",
        "en": "🗑 <b>Delete my data</b>\n\n"
              "This will delete:\n"
              "• your profile (country, city, job)\n"
              "• your safety check-in schedule\n"
              "• all your messages that we stored\n"
              "{reports}"
              "This cannot be undone. Continue?",
    },
    "priv_confirm_reports": {
        "id": "Laporan Anda ({n}) disimpan tanpa nama dan tanpa isi pesan, hanya untuk statistik.\n",
        "en": "Your reports ({n}) are kept without your name and without any message, only for statistics.\n",
    },
    "priv_confirm_open": {
        "id": "Laporan yang masih berjalan ({n}) akan ditutup. Petugas diberi tahu.\n",
        "en": "Reports still open ({n}) will be closed. The officers will be told.\n",
    },
    "priv_yes": {"id": "🗑 Ya, hapus / Yes, delete", "en": "🗑 Ya, hapus / Yes, delete"},
    "priv_no": {"id": "↩️ Batal / Cancel", "en": "↩️ Batal / Cancel"},
    "priv_done": {
        "id": "✅ <b>Data Anda sudah dihapus.</b>\n"
              "Kami menghapus profil Anda, jadwal cek keamanan, dan semua pesan Anda yang kami simpan. "
              "Cek keamanan sudah berhenti.\n"
              "{reports}"
              "🆘 Bantuan darurat tetap ada: tekan <b>🆘 DARURAT</b> atau ketik /darurat kapan saja.\n"
              "Untuk memakai bot lagi, ketik /start.\n"
              "Tips: hapus juga chat ini di HP Anda (tekan lama chat ini, lalu Hapus).",
        "en": "✅ <b>Your data has been deleted.</b>\n"
              "We deleted your profile, your safety check-in schedule and all your messages that we stored. "
              "Check-ins have stopped.\n"
              "{reports}"
              "🆘 Emergency help is still here: press <b>🆘 DARURAT</b> or type /darurat at any time.\n"
              "To use the bot again, type /start.\n"
              "Tip: also delete this chat on your phone (press and hold the chat, then Delete).",
    },
    "priv_done_reports": {
        "id": "Laporan Anda ({n}) ditutup dan disimpan tanpa nama, hanya untuk statistik. Petugas sudah diberi tahu.\n",
        "en": "Your reports ({n}) are closed and kept without your name, only for statistics. "
              "The officers have been told.\n",
    },
    "priv_cancelled": {
        "id": "Baik, tidak ada yang dihapus. 👍",
        "en": "OK, nothing was deleted. 👍",
    },
    "priv_nothing": {
        "id": "Kami tidak menyimpan data tentang Anda. ✅",
        "en": "We do not hold any data about you. ✅",
    },
}
TEXTS.update(PRIVACY_TEXTS)
