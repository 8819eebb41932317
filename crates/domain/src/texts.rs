//! Every text the bot sends, as a named template with a Bahasa Indonesia default.
//!
//! A [`TextKey`] names one message (or one part of a message) the service sends: to the
//! citizen during intake, for status answers and for the workflow, and to officials. Each
//! key has a default text (short, polite, WhatsApp-formatted: `*bold*`, line breaks,
//! numbered lists), the `{placeholder}`s its text may use, and a one-line description for
//! the superadmin's editor. The superadmin may override any text; the server keeps the
//! overrides and renders with [`render`]. [`TextKey::check_template`] tells the editor
//! whether an override is usable.
//!
//! Invariants (tested): keys are unique `snake_case` strings and round-trip through
//! [`TextKey::parse`] and serde; a default text uses only its declared placeholders, and
//! each declared placeholder appears in it; a default fits its WhatsApp limit
//! ([`TextKey::max_chars`]: 1024 for the body of an interactive message, 4096 otherwise).
//!
//! [`render`] never panics: unknown placeholders stay as they are, `{{` and `}}` write a
//! brace, and parameter values are inserted verbatim (never re-read as templates, so a
//! citizen who names themself `{ticket}` changes nothing).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lifecycle::{CitizenNotice, Status};

/// WhatsApp's limit for a text message body.
pub const TEXT_MAX_CHARS: usize = 4096;
/// WhatsApp's limit for the body of an interactive (buttons or list) message.
pub const INTERACTIVE_MAX_CHARS: usize = 1024;

macro_rules! text_keys {
    ($(
        $variant:ident = $key:literal,
        $description:literal,
        [$($placeholder:literal),* $(,)?],
        $text:expr;
    )+) => {
        /// The name of one text the bot sends. Serialised as its `snake_case` key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum TextKey {
            $(
                #[doc = $description]
                $variant,
            )+
        }

        impl TextKey {
            /// Every key, in the order the editor lists them.
            pub const ALL: &'static [TextKey] = &[$(TextKey::$variant),+];

            /// The stable key, e.g. `"intake_greeting"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(TextKey::$variant => $key,)+
                }
            }

            /// One line for the superadmin's editor (Bahasa Indonesia).
            pub fn description(self) -> &'static str {
                match self {
                    $(TextKey::$variant => $description,)+
                }
            }

            /// The placeholders this key's text may use.
            pub fn placeholders(self) -> &'static [&'static str] {
                match self {
                    $(TextKey::$variant => &[$($placeholder),*],)+
                }
            }

            /// The Bahasa Indonesia default text.
            pub fn default_text(self) -> &'static str {
                match self {
                    $(TextKey::$variant => $text,)+
                }
            }
        }
    };
}

/// The opening shared by the greetings: what Wani Bares is.
macro_rules! opening {
    () => {
        "Halo, terima kasih telah menghubungi *Wani Bares* 🙏\n\
         Layanan pengaduan dan pertanyaan masyarakat Pemerintah Kabupaten Magetan, \
         dikelola Dinas Komunikasi dan Informatika.\n\n"
    };
}

text_keys! {
    // ---- Intake: greetings (each is followed by the first question in the same message)
    IntakeGreeting = "intake_greeting",
        "Sapaan pertama: apa itu Wani Bares dan data yang diperlukan.",
        [],
        concat!(opening!(),
            "Agar aduan Anda dapat ditindaklanjuti, kami memerlukan:\n",
            "1. *Nama lengkap*\n",
            "2. *NIK* (16 angka pada KTP)\n",
            "3. *Alamat*\n",
            "4. *Isi aduan*: apa masalahnya, di mana, dan sejak kapan\n",
            "5. *Foto KTP*\n\n",
            "Data dapat dikirim satu per satu, atau sekaligus dalam satu pesan seperti ini:\n",
            "Nama: ...\nNIK: ...\nAlamat: ...\nAduan: ...\n\n",
            "Ingin bertanya, bukan mengadu? Balas *TANYA*. Bantuan: balas *MENU*.");
    IntakeGreetingWithAduan = "intake_greeting_with_aduan",
        "Sapaan pertama bila pesan pertama sudah berisi aduan (disimpan sebagai isi aduan).",
        [],
        concat!(opening!(),
            "Pesan Anda sudah kami catat sebagai *isi aduan*. ",
            "Agar dapat ditindaklanjuti, kami masih memerlukan:\n",
            "1. *Nama lengkap*\n",
            "2. *NIK* (16 angka pada KTP)\n",
            "3. *Alamat*\n",
            "4. *Foto KTP*\n\n",
            "Data dapat dikirim satu per satu, atau sekaligus dalam satu pesan seperti ini:\n",
            "Nama: ...\nNIK: ...\nAlamat: ...\n\n",
            "Bantuan: balas *MENU*.");
    IntakeGreetingWithForm = "intake_greeting_with_form",
        "Sapaan pertama bila pesan pertama berupa formulir (Nama:, NIK:, ...).",
        [],
        concat!(opening!(), "Data yang Anda kirim sudah kami catat.");
    IntakeGreetingPertanyaan = "intake_greeting_pertanyaan",
        "Sapaan pertama bila warga ingin bertanya (bukan mengadu).",
        [],
        concat!(opening!(),
            "Untuk mengajukan pertanyaan, kami memerlukan:\n",
            "1. *Nama lengkap*\n",
            "2. *NIK* (16 angka pada KTP)\n",
            "3. *Alamat*\n",
            "4. *Pertanyaan* Anda\n",
            "5. *Foto KTP*\n\n",
            "Data dapat dikirim satu per satu, atau sekaligus dalam satu pesan seperti ini:\n",
            "Nama: ...\nNIK: ...\nAlamat: ...\nPertanyaan: ...\n\n",
            "Ingin menyampaikan aduan? Balas *ADUAN*. Bantuan: balas *MENU*.");
    IntakeGreetingReturning = "intake_greeting_returning",
        "Sapaan bagi warga yang identitasnya tersimpan (dengan persetujuannya).",
        ["nama", "nik"],
        "Halo {nama}, selamat datang kembali di *Wani Bares* 🙏\n\
         Kami memakai identitas Anda yang tersimpan (NIK {nik}). \
         Untuk memperbaruinya, balas *UBAH IDENTITAS*.";

    // ---- Intake: one question at a time
    IntakeAskNama = "intake_ask_nama",
        "Pertanyaan: nama lengkap.",
        [],
        "Silakan kirim *nama lengkap* Anda sesuai KTP.";
    IntakeAskNik = "intake_ask_nik",
        "Pertanyaan: NIK.",
        [],
        "Silakan kirim *NIK* Anda (16 angka yang tertera pada KTP).";
    IntakeAskAlamat = "intake_ask_alamat",
        "Pertanyaan: alamat.",
        [],
        "Silakan kirim *alamat* Anda (dusun/jalan, RT/RW, desa/kelurahan, kecamatan).";
    IntakeAskAduan = "intake_ask_aduan",
        "Pertanyaan: isi aduan.",
        [],
        "Silakan tulis *isi aduan* Anda: *apa* masalahnya, *di mana*, dan *sejak kapan*. \
         Foto pendukung boleh dikirim juga.";
    IntakeAskPertanyaan = "intake_ask_pertanyaan",
        "Pertanyaan: isi pertanyaan (jenis Pertanyaan).",
        [],
        "Silakan tulis *pertanyaan* Anda selengkap mungkin.";
    IntakeAskFotoKtp = "intake_ask_foto_ktp",
        "Pertanyaan: foto KTP.",
        [],
        "Silakan kirim *foto KTP* Anda sebagai gambar. \
         Foto hanya dipakai untuk verifikasi dan dijaga kerahasiaannya.";

    // ---- Intake: validation errors (each asks again)
    IntakeNamaInvalid = "intake_nama_invalid",
        "Nama tidak dapat diterima; minta ulang.",
        [],
        "Mohon kirim *nama lengkap* Anda sesuai KTP (2 sampai 100 huruf, tanpa angka).";
    IntakeNikInvalid = "intake_nik_invalid",
        "NIK tidak valid: {reason} menjelaskan kesalahannya; minta ulang.",
        ["reason"],
        "{reason}\nMohon kirim ulang *NIK* Anda: 16 angka yang tertera pada KTP.";
    IntakeAlamatInvalid = "intake_alamat_invalid",
        "Alamat terlalu pendek atau terlalu panjang; minta ulang.",
        [],
        "Mohon kirim *alamat* Anda (5 sampai 200 huruf): dusun/jalan, RT/RW, \
         desa/kelurahan, kecamatan.";
    IntakeAduanTooShort = "intake_aduan_too_short",
        "Isi aduan terlalu singkat; minta penjelasan apa, di mana, sejak kapan.",
        [],
        "Isi aduan Anda terlalu singkat. Mohon jelaskan lebih rinci: *apa* masalahnya, \
         *di mana*, dan *sejak kapan*.";
    IntakePertanyaanTooShort = "intake_pertanyaan_too_short",
        "Isi pertanyaan terlalu singkat; minta ulang.",
        [],
        "Pertanyaan Anda terlalu singkat. Mohon tulis lebih lengkap agar dapat kami jawab \
         dengan tepat.";
    IntakeFotoKtpNeeded = "intake_foto_ktp_needed",
        "Teks dikirim saat diminta foto KTP.",
        [],
        "Kami masih memerlukan *foto KTP* Anda. Mohon kirim sebagai gambar (foto), \
         bukan teks.";

    // ---- Intake: acknowledgements
    IntakeNikOutsideMagetan = "intake_nik_outside_magetan",
        "NIK valid tetapi dari luar Kabupaten Magetan (tetap diterima, ditandai untuk admin).",
        [],
        "Catatan: NIK Anda terdaftar di luar Kabupaten Magetan. Aduan tetap kami terima \
         dan akan diperiksa petugas.";
    IntakeKtpReceived = "intake_ktp_received",
        "Foto KTP diterima.",
        [],
        "Foto KTP sudah kami terima ✅";
    IntakeEvidenceReceived = "intake_evidence_received",
        "Lampiran (foto, dokumen, lokasi, suara) diterima sebagai bukti pendukung.",
        [],
        "Lampiran sudah kami terima dan akan disertakan pada aduan Anda 📎";
    IntakeAduanNoted = "intake_aduan_noted",
        "Pesan yang menjawab hal lain dicatat sebagai isi aduan.",
        [],
        "Pesan Anda kami catat sebagai *isi aduan*.";
    IntakeAduanAppended = "intake_aduan_appended",
        "Keterangan tambahan ditambahkan ke isi aduan.",
        [],
        "Keterangan tambahan sudah kami catat pada isi aduan.";
    IntakeFormReceived = "intake_form_received",
        "Formulir (Nama:, NIK:, ...) diterima di tengah percakapan.",
        [],
        "Terima kasih, data yang Anda kirim sudah kami catat.";
    IntakeKindPertanyaan = "intake_kind_pertanyaan",
        "Warga memilih mengajukan pertanyaan (TANYA).",
        [],
        "Baik, pesan Anda kami catat sebagai *pertanyaan*. Untuk menyampaikan aduan, \
         balas *ADUAN*.";
    IntakeKindAduan = "intake_kind_aduan",
        "Warga memilih menyampaikan aduan (ADUAN).",
        [],
        "Baik, pesan Anda kami catat sebagai *aduan*. Untuk bertanya, balas *TANYA*.";
    IntakeIdentityReset = "intake_identity_reset",
        "Warga memilih memperbarui identitas (UBAH IDENTITAS).",
        [],
        "Baik, silakan perbarui identitas Anda.";

    // ---- Intake: confirmation
    IntakeSummary = "intake_summary",
        "Ringkasan aduan sebelum dikirim (dengan tombol Kirim, Ubah, Batal).",
        ["nama", "nik", "alamat", "isi", "lampiran"],
        "*Ringkasan aduan Anda*\n\n\
         Nama: {nama}\n\
         NIK: {nik}\n\
         Alamat: {alamat}\n\
         Aduan: {isi}\n\
         Foto KTP: terlampir ✅\n\
         Lampiran lain: {lampiran}\n\n\
         Sudah benar? Pilih *Kirim* (atau balas *YA*) untuk mengirim, *Ubah* untuk \
         memperbaiki, atau *Batal*.";
    IntakeSummaryPertanyaan = "intake_summary_pertanyaan",
        "Ringkasan pertanyaan sebelum dikirim (dengan tombol Kirim, Ubah, Batal).",
        ["nama", "nik", "alamat", "isi", "lampiran"],
        "*Ringkasan pertanyaan Anda*\n\n\
         Nama: {nama}\n\
         NIK: {nik}\n\
         Alamat: {alamat}\n\
         Pertanyaan: {isi}\n\
         Foto KTP: terlampir ✅\n\
         Lampiran lain: {lampiran}\n\n\
         Sudah benar? Pilih *Kirim* (atau balas *YA*) untuk mengirim, *Ubah* untuk \
         memperbaiki, atau *Batal*.";
    IntakeConfirmHint = "intake_confirm_hint",
        "Mengulang pilihan saat menunggu konfirmasi.",
        [],
        "Data Anda siap dikirim. Pilih *Kirim* (atau balas *YA*) untuk mengirim, *Ubah* \
         untuk memperbaiki, atau *Batal* untuk membatalkan.";
    IntakeNotComplete = "intake_not_complete",
        "Warga ingin mengirim, tetapi data belum lengkap.",
        [],
        "Data Anda belum lengkap, jadi belum dapat dikirim.";
    IntakeChooseField = "intake_choose_field",
        "Pilihan data yang ingin diubah.",
        [],
        "Data mana yang ingin diubah? Pilih dari daftar atau balas dengan angkanya:\n\
         1. Nama\n\
         2. NIK\n\
         3. Alamat\n\
         4. Isi aduan/pertanyaan\n\
         5. Foto KTP\n\n\
         Balas *KEMBALI* untuk kembali.";
    IntakeRegistered = "intake_registered",
        "Aduan terdaftar: nomor tiket dan langkah selanjutnya (dikirim server).",
        ["ticket"],
        "Terima kasih, aduan Anda sudah *terdaftar* ✅\n\
         Nomor tiket: *{ticket}*\n\n\
         Selanjutnya petugas memeriksa kelengkapan aduan Anda, lalu meneruskannya ke \
         dinas terkait. Jawaban dan tindak lanjutnya akan kami kirim melalui WhatsApp ini.\n\n\
         Untuk melihat perkembangannya, balas *STATUS {ticket}*.";
    IntakeRegisteredPertanyaan = "intake_registered_pertanyaan",
        "Pertanyaan terdaftar: nomor tiket dan langkah selanjutnya (dikirim server).",
        ["ticket"],
        "Terima kasih, pertanyaan Anda sudah *terdaftar* ✅\n\
         Nomor tiket: *{ticket}*\n\n\
         Petugas akan meneruskannya ke dinas terkait. Jawabannya akan kami kirim melalui \
         WhatsApp ini.\n\n\
         Untuk melihat perkembangannya, balas *STATUS {ticket}*.";

    // ---- Intake: control
    IntakeCancelled = "intake_cancelled",
        "Aduan yang sedang diisi dibatalkan (BATAL).",
        [],
        "Aduan yang sedang Anda isi sudah dibatalkan dan datanya kami hapus. \
         Kirim *BARU* kapan saja untuk memulai lagi.";
    IntakeNothingToCancel = "intake_nothing_to_cancel",
        "BATAL padahal tidak ada aduan yang sedang diisi.",
        [],
        "Tidak ada aduan yang sedang Anda isi. Aduan yang sudah terdaftar tetap kami \
         proses; balas *STATUS* untuk melihatnya.";
    IntakeRestarted = "intake_restarted",
        "BARU saat masih ada aduan yang belum dikirim: aduan itu dibatalkan.",
        [],
        "Aduan sebelumnya yang belum dikirim sudah kami batalkan. Mari mulai aduan baru.";
    IntakeResume = "intake_resume",
        "Pengantar untuk melanjutkan aduan yang belum selesai (setelah STATUS, MENU, dll.).",
        [],
        "Melanjutkan aduan Anda yang belum selesai:";
    IntakeReminder = "intake_reminder",
        "Pengingat satu kali untuk aduan yang belum selesai.",
        [],
        "Aduan Anda di *Wani Bares* belum selesai dan belum terkirim. Mohon lengkapi \
         agar dapat kami tindak lanjuti, atau balas *BATAL* bila tidak jadi.";
    IntakeDraftExpired = "intake_draft_expired",
        "Aduan yang lama tidak dilanjutkan sudah dihapus (disampaikan pada pesan berikutnya).",
        [],
        "Aduan Anda sebelumnya tidak dilanjutkan, sehingga sudah kami hapus.";
    IdleHint = "idle_hint",
        "Tombol lama ditekan padahal tidak ada aduan yang sedang diisi.",
        [],
        "Tidak ada aduan yang sedang diisi. Balas *BARU* untuk membuat aduan, *STATUS* \
         untuk melihat aduan Anda, atau *MENU* untuk bantuan.";

    // ---- Consent to keep the identity (UU 27/2022)
    ConsentQuestion = "consent_question",
        "Setelah pendaftaran: minta persetujuan menyimpan identitas (tombol Ya/Tidak).",
        [],
        "Bolehkah identitas Anda (nama, NIK, alamat, dan foto KTP) kami simpan, agar tidak \
         perlu dikirim ulang pada aduan berikutnya?\n\
         Data Anda dilindungi sesuai UU Pelindungan Data Pribadi dan dapat dihapus kapan \
         saja dengan membalas *HAPUS IDENTITAS*.";
    ConsentGranted = "consent_granted",
        "Identitas disimpan atas persetujuan warga.",
        [],
        "Terima kasih. Identitas Anda kami simpan; pada aduan berikutnya Anda cukup \
         menulis isi aduan. Balas *HAPUS IDENTITAS* kapan saja untuk menghapusnya.";
    ConsentDeclined = "consent_declined",
        "Warga tidak setuju identitasnya disimpan.",
        [],
        "Baik, identitas Anda tidak kami simpan untuk aduan berikutnya.";
    IdentityForgotten = "identity_forgotten",
        "Identitas tersimpan dihapus (HAPUS IDENTITAS).",
        [],
        "Identitas Anda yang tersimpan sudah kami hapus; pada aduan berikutnya kami akan \
         menanyakannya lagi. Data pada aduan yang sudah terdaftar tetap dipakai untuk \
         menanganinya.";

    // ---- Help, unsupported messages, messages about a complaint being handled
    HelpMenu = "help_menu",
        "Bantuan dan daftar perintah (BANTUAN / MENU).",
        [],
        "*Bantuan Wani Bares*\n\
         Balas salah satu perintah berikut:\n\
         1. *BARU*: menyampaikan aduan baru\n\
         2. *TANYA*: mengajukan pertanyaan\n\
         3. *STATUS*: melihat aduan Anda yang sedang diproses\n\
         4. *STATUS WB-…*: melihat satu aduan menurut nomor tiketnya\n\
         5. *UBAH*: mengubah data aduan yang sedang diisi\n\
         6. *BATAL*: membatalkan aduan yang sedang diisi\n\
         7. *UBAH IDENTITAS*: memperbarui identitas Anda\n\
         8. *HAPUS IDENTITAS*: menghapus identitas yang tersimpan";
    UnsupportedMessage = "unsupported_message",
        "Jenis pesan yang tidak dapat diproses (kontak, pesan tak dikenal).",
        [],
        "Maaf, jenis pesan ini belum dapat kami proses. Silakan kirim teks, foto, \
         dokumen, lokasi, atau pesan suara.";
    StickerAnswer = "sticker_answer",
        "Jawaban singkat untuk stiker.",
        [],
        "Terima kasih 🙏 Untuk menyampaikan aduan atau pertanyaan, silakan tulis pesan \
         Anda. Balas *MENU* untuk bantuan.";
    AttachedToComplaint = "attached_to_complaint",
        "Pesan warga diteruskan ke aduan yang sedang ditangani.",
        ["ticket"],
        "Pesan Anda sudah kami teruskan ke petugas yang menangani aduan *{ticket}*. \
         Untuk menyampaikan aduan lain, balas *BARU*.";

    // ---- Status answers (sent by the server from the database)
    StatusAnswer = "status_answer",
        "Jawaban STATUS untuk satu aduan.",
        ["ticket", "step", "date"],
        "Aduan *{ticket}*\nStatus: {step}\nSejak: {date}";
    StatusListHeader = "status_list_header",
        "Judul daftar aduan yang sedang diproses (STATUS tanpa nomor).",
        ["count"],
        "Aduan Anda yang sedang diproses ({count}):";
    StatusListItem = "status_list_item",
        "Satu baris dalam daftar aduan yang sedang diproses.",
        ["ticket", "step", "date"],
        "• *{ticket}*: {step} (sejak {date})";
    StatusNotFound = "status_not_found",
        "Nomor tiket tidak ditemukan untuk warga ini.",
        ["ticket"],
        "Aduan dengan nomor *{ticket}* tidak kami temukan untuk nomor WhatsApp ini. \
         Mohon periksa kembali nomor tiketnya.";
    StatusNoOpenComplaints = "status_no_open_complaints",
        "STATUS padahal tidak ada aduan yang sedang diproses.",
        [],
        "Saat ini tidak ada aduan Anda yang sedang diproses. Balas *BARU* untuk \
         menyampaikan aduan.";
    StatusStepSubmitted = "status_step_submitted",
        "Tahap untuk STATUS: status `submitted` dalam kata-kata warga.",
        [],
        Status::Submitted.label_id();
    StatusStepIncomplete = "status_step_incomplete",
        "Tahap untuk STATUS: status `incomplete` dalam kata-kata warga.",
        [],
        Status::Incomplete.label_id();
    StatusStepAtKabid = "status_step_at_kabid",
        "Tahap untuk STATUS: status `at_kabid` dalam kata-kata warga.",
        [],
        Status::AtKabid.label_id();
    StatusStepAtKadis = "status_step_at_kadis",
        "Tahap untuk STATUS: status `at_kadis` dalam kata-kata warga.",
        [],
        Status::AtKadis.label_id();
    StatusStepDispatched = "status_step_dispatched",
        "Tahap untuk STATUS: status `dispatched` dalam kata-kata warga.",
        [],
        Status::Dispatched.label_id();
    StatusStepAnswerAtKadis = "status_step_answer_at_kadis",
        "Tahap untuk STATUS: status `answer_at_kadis` dalam kata-kata warga.",
        [],
        Status::AnswerAtKadis.label_id();
    StatusStepAnswerAtKabid = "status_step_answer_at_kabid",
        "Tahap untuk STATUS: status `answer_at_kabid` dalam kata-kata warga.",
        [],
        Status::AnswerAtKabid.label_id();
    StatusStepAnswerAtAdmin = "status_step_answer_at_admin",
        "Tahap untuk STATUS: status `answer_at_admin` dalam kata-kata warga.",
        [],
        Status::AnswerAtAdmin.label_id();
    StatusStepClosed = "status_step_closed",
        "Tahap untuk STATUS: status `closed` dalam kata-kata warga.",
        [],
        Status::Closed.label_id();
    StatusStepRejected = "status_step_rejected",
        "Tahap untuk STATUS: status `rejected` dalam kata-kata warga.",
        [],
        Status::Rejected.label_id();
    StatusStepWithdrawn = "status_step_withdrawn",
        "Tahap untuk STATUS: status `withdrawn` dalam kata-kata warga.",
        [],
        Status::Withdrawn.label_id();

    // ---- Workflow messages to the citizen
    WorkflowRejected = "workflow_rejected",
        "Aduan tidak dapat ditindaklanjuti, dengan alasannya.",
        ["ticket", "reason"],
        "Mohon maaf, aduan *{ticket}* tidak dapat kami tindak lanjuti.\n\
         Alasan: {reason}\n\n\
         Terima kasih atas kepedulian Anda.";
    WorkflowCompletionRequested = "workflow_completion_requested",
        "Admin meminta warga melengkapi aduan.",
        ["ticket", "message"],
        "Aduan *{ticket}* perlu dilengkapi agar dapat ditindaklanjuti:\n\
         {message}\n\n\
         Mohon balas pesan ini dengan data yang diminta.";
    WorkflowReply = "workflow_reply",
        "Jawaban dan tindak lanjut akhir untuk warga.",
        ["ticket", "text"],
        "*Jawaban atas aduan {ticket}*\n\n{text}\n\n\
         Terima kasih telah menggunakan *Wani Bares*.";
    SlaLateNotice = "sla_late_notice",
        "Pemberitahuan bahwa penanganan terlambat dari target.",
        ["ticket", "expected"],
        "Mohon maaf, penanganan aduan *{ticket}* memerlukan waktu lebih lama dari \
         perkiraan. Kami upayakan selesai paling lambat {expected}.";
    WorkflowReopened = "workflow_reopened",
        "Aduan dibuka kembali atas permintaan warga.",
        ["ticket"],
        "Aduan *{ticket}* kami buka kembali dan akan ditangani lagi oleh petugas. \
         Terima kasih atas tanggapan Anda.";
    WorkflowWithdrawn = "workflow_withdrawn",
        "Aduan dianggap dicabut karena data tidak dilengkapi tepat waktu.",
        ["ticket"],
        "Aduan *{ticket}* kami anggap dicabut karena data yang diminta belum dilengkapi. \
         Silakan kirim *BARU* untuk menyampaikannya kembali.";
    RatingQuestion = "rating_question",
        "Pertanyaan kepuasan setelah jawaban dikirim (daftar nilai 1–5 dan Belum selesai).",
        ["ticket"],
        "Apakah masalah pada aduan *{ticket}* sudah selesai?\n\n\
         Mohon beri nilai kepuasan Anda: balas angka *1* (sangat tidak puas) sampai \
         *5* (sangat puas). Bila masalahnya *belum selesai*, pilih atau ketik \
         *BELUM SELESAI*.";
    RatingThanks = "rating_thanks",
        "Terima kasih atas penilaian, dengan ajakan memberi komentar.",
        ["ticket", "rating"],
        "Terima kasih atas penilaian Anda ({rating}/5) untuk aduan *{ticket}* 🙏\n\
         Bila ingin menambahkan saran atau komentar, silakan ketik sekarang.";
    RatingCommentThanks = "rating_comment_thanks",
        "Terima kasih atas komentar setelah penilaian.",
        [],
        "Komentar Anda sudah kami catat. Terima kasih 🙏";
    RatingReopenLate = "rating_reopen_late",
        "Warga menyatakan belum selesai setelah batas waktu: diminta membuat aduan baru.",
        ["ticket", "days"],
        "Batas {days} hari untuk membuka kembali aduan *{ticket}* sudah lewat. \
         Silakan sampaikan aduan baru (balas *BARU*); aduan baru akan kami tautkan \
         dengan aduan *{ticket}*.";
    CompletionReminder = "completion_reminder",
        "Pengingat kepada warga untuk melengkapi aduan sebelum dianggap dicabut.",
        ["ticket", "days"],
        "Pengingat: aduan *{ticket}* masih menunggu kelengkapan dari Anda. Bila dalam \
         {days} hari belum dilengkapi, aduan akan dianggap dicabut.";
    CompletionReceived = "completion_received",
        "Kelengkapan dari warga diterima; aduan kembali ke petugas untuk diverifikasi.",
        ["ticket"],
        "Terima kasih, kelengkapan untuk aduan *{ticket}* sudah kami terima dan akan \
         segera diperiksa kembali oleh petugas.";

    // ---- Notifications to officials
    OfficialNewItem = "official_new_item",
        "Pemberitahuan WhatsApp ke petugas: ada aduan baru di antreannya.",
        ["ticket", "queue"],
        "[Wani Bares] Aduan *{ticket}* menunggu di antrean *{queue}*. Silakan buka \
         dasbor untuk menindaklanjutinya.";
}

impl TextKey {
    /// The plain-words step a citizen reads for a complaint in `status` (the `{step}` of
    /// [`TextKey::StatusAnswer`]).
    pub fn status_step(status: Status) -> TextKey {
        match status {
            Status::Submitted => TextKey::StatusStepSubmitted,
            Status::Incomplete => TextKey::StatusStepIncomplete,
            Status::AtKabid => TextKey::StatusStepAtKabid,
            Status::AtKadis => TextKey::StatusStepAtKadis,
            Status::Dispatched => TextKey::StatusStepDispatched,
            Status::AnswerAtKadis => TextKey::StatusStepAnswerAtKadis,
            Status::AnswerAtKabid => TextKey::StatusStepAnswerAtKabid,
            Status::AnswerAtAdmin => TextKey::StatusStepAnswerAtAdmin,
            Status::Closed => TextKey::StatusStepClosed,
            Status::Rejected => TextKey::StatusStepRejected,
            Status::Withdrawn => TextKey::StatusStepWithdrawn,
        }
    }

    /// The text of a workflow notice to the citizen, with its parameters: `ticket`, plus
    /// `message`, `reason` or `text` as the notice carries.
    pub fn citizen_notice(
        notice: &CitizenNotice,
        ticket: &crate::ticket::Ticket,
    ) -> (TextKey, Vec<(&'static str, String)>) {
        let mut params = vec![("ticket", ticket.to_string())];
        let key = match notice {
            CitizenNotice::CompletionRequested { message } => {
                params.push(("message", message.clone()));
                TextKey::WorkflowCompletionRequested
            }
            CitizenNotice::Rejected { reason } => {
                params.push(("reason", reason.clone()));
                TextKey::WorkflowRejected
            }
            CitizenNotice::Reply { text } => {
                params.push(("text", text.clone()));
                TextKey::WorkflowReply
            }
            CitizenNotice::Reopened => TextKey::WorkflowReopened,
            CitizenNotice::Withdrawn => TextKey::WorkflowWithdrawn,
        };
        (key, params)
    }

    /// Reads a key from its string form.
    pub fn parse(key: &str) -> Result<TextKey, UnknownTextKey> {
        TextKey::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == key)
            .ok_or_else(|| UnknownTextKey(key.chars().take(80).collect()))
    }

    /// The longest text WhatsApp accepts where this key is used: keys sent with buttons
    /// or a list are the body of an interactive message.
    pub fn max_chars(self) -> usize {
        match self {
            TextKey::IntakeSummary
            | TextKey::IntakeSummaryPertanyaan
            | TextKey::IntakeConfirmHint
            | TextKey::IntakeChooseField
            | TextKey::ConsentQuestion => INTERACTIVE_MAX_CHARS,
            _ => TEXT_MAX_CHARS,
        }
    }

    /// Whether `template` can replace this key's default: not blank, within
    /// [`TextKey::max_chars`], and using only this key's placeholders.
    pub fn check_template(self, template: &str) -> Result<(), TemplateError> {
        if template.trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        let len = template.chars().count();
        if len > self.max_chars() {
            return Err(TemplateError::TooLong {
                len,
                max: self.max_chars(),
            });
        }
        if let Some(unknown) = placeholders_in(template)
            .into_iter()
            .find(|p| !self.placeholders().contains(p))
        {
            return Err(TemplateError::UnknownPlaceholder(unknown.to_owned()));
        }
        Ok(())
    }
}

impl fmt::Display for TextKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for TextKey {
    type Err = UnknownTextKey;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TextKey::parse(s)
    }
}

impl Serialize for TextKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TextKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        TextKey::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A string that names no [`TextKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown text key {0:?}")]
pub struct UnknownTextKey(pub String);

/// Why an edited text cannot replace a default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("Teks tidak boleh kosong.")]
    Empty,
    #[error("Teks terlalu panjang: {len} karakter, paling banyak {max}.")]
    TooLong { len: usize, max: usize },
    #[error("Placeholder {{{0}}} tidak dikenal untuk teks ini.")]
    UnknownPlaceholder(String),
}

/// Whether `name` may be a placeholder name: ASCII lowercase letters, digits and `_`.
fn is_placeholder_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// One piece of a template.
enum Token<'a> {
    Literal(&'a str),
    Placeholder(&'a str),
}

/// Splits a template into literals and placeholders. `{{`/`}}` become one brace; a `{`
/// that does not open a well-formed `{name}` is literal.
fn tokens(template: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        if at > 0 {
            out.push(Token::Literal(&rest[..at]));
        }
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push(Token::Literal("{"));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push(Token::Literal("}"));
            rest = after;
        } else if let Some(after) = tail.strip_prefix('}') {
            out.push(Token::Literal("}"));
            rest = after;
        } else {
            let after = &tail[1..];
            match after.find('}') {
                Some(end) if is_placeholder_name(&after[..end]) => {
                    out.push(Token::Placeholder(&after[..end]));
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push(Token::Literal("{"));
                    rest = after;
                }
            }
        }
    }
    if !rest.is_empty() {
        out.push(Token::Literal(rest));
    }
    out
}

/// The placeholder names a template uses, in order, without duplicates.
pub fn placeholders_in(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for token in tokens(template) {
        if let Token::Placeholder(name) = token
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// Fills `{name}` placeholders from `params`. Unknown placeholders stay literally; `{{`
/// and `}}` write `{` and `}`. Values are inserted as they are.
pub fn render(template: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    for token in tokens(template) {
        match token {
            Token::Literal(text) => out.push_str(text),
            Token::Placeholder(name) => {
                if let Some((_, value)) = params.iter().find(|(k, _)| *k == name) {
                    out.push_str(value);
                } else {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_unique_snake_case_and_round_trip() {
        let mut seen = HashSet::new();
        for key in TextKey::ALL {
            let s = key.as_str();
            assert!(seen.insert(s), "duplicate {s}");
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert_eq!(TextKey::parse(s), Ok(*key));
            let json = serde_json::to_string(key).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<TextKey>(&json).unwrap(), *key);
        }
        assert!(TextKey::parse("nope").is_err());
    }

    #[test]
    fn every_default_uses_exactly_its_declared_placeholders() {
        for key in TextKey::ALL {
            let used: HashSet<&str> = placeholders_in(key.default_text()).into_iter().collect();
            let declared: HashSet<&str> = key.placeholders().iter().copied().collect();
            assert_eq!(used, declared, "{key}");
            assert_eq!(key.check_template(key.default_text()), Ok(()), "{key}");
        }
    }

    #[test]
    fn every_default_is_short_and_described() {
        for key in TextKey::ALL {
            assert!(!key.description().is_empty(), "{key}");
            assert!(
                !key.default_text().trim().is_empty(),
                "{key} has an empty default"
            );
            // Room for parameters within the limit.
            assert!(
                key.default_text().chars().count() <= key.max_chars() / 2 + 200,
                "{key} is long"
            );
        }
    }

    #[test]
    fn the_workflow_keys_are_there_for_the_other_parts_of_the_service() {
        let expected: &[(&str, &[&str])] = &[
            ("workflow_rejected", &["ticket", "reason"]),
            ("workflow_completion_requested", &["ticket", "message"]),
            ("workflow_reply", &["ticket", "text"]),
            ("sla_late_notice", &["ticket", "expected"]),
            ("rating_question", &["ticket"]),
            ("rating_thanks", &["ticket", "rating"]),
            ("official_new_item", &["ticket", "queue"]),
        ];
        for (name, placeholders) in expected {
            assert_eq!(TextKey::parse(name).unwrap().placeholders(), *placeholders);
        }
    }

    #[test]
    fn every_lifecycle_status_and_notice_has_its_text() {
        for status in Status::ALL {
            let key = TextKey::status_step(status);
            assert_eq!(key.as_str(), format!("status_step_{}", status.as_str()));
            assert_eq!(key.default_text(), status.label_id());
        }
        let ticket = crate::ticket::Ticket::new(2026, 11, 7).unwrap();
        let notices = [
            CitizenNotice::CompletionRequested {
                message: "Mohon kirim foto lokasi.".into(),
            },
            CitizenNotice::Rejected {
                reason: "Bukan kewenangan daerah.".into(),
            },
            CitizenNotice::Reply {
                text: "Jalan akan diperbaiki.".into(),
            },
            CitizenNotice::Reopened,
            CitizenNotice::Withdrawn,
        ];
        for notice in &notices {
            let (key, params) = TextKey::citizen_notice(notice, &ticket);
            let names: Vec<&str> = params.iter().map(|(k, _)| *k).collect();
            assert_eq!(names, key.placeholders(), "{key}");
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let text = render(key.default_text(), &params);
            assert!(
                text.contains("WB-202611-0007") && !text.contains('{'),
                "{text}"
            );
        }
    }

    #[test]
    fn render_fills_known_placeholders_and_keeps_the_rest() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            (
                "Tiket {ticket}.",
                &[("ticket", "WB-202611-0007")],
                "Tiket WB-202611-0007.",
            ),
            ("{a}{a}", &[("a", "x")], "xx"),
            ("Halo {nama}", &[], "Halo {nama}"),
            ("{{ticket}} {ticket}", &[("ticket", "T")], "{ticket} T"),
            ("a }} b } c", &[], "a } b } c"),
            (
                "{ not a name } {Ticket}",
                &[("Ticket", "x")],
                "{ not a name } {Ticket}",
            ),
            ("open {", &[], "open {"),
            ("{", &[], "{"),
            ("{x", &[("x", "1")], "{x"),
            (
                "{nama}",
                &[("nama", "{ticket}"), ("ticket", "BAD")],
                "{ticket}",
            ),
            ("é{nama}é", &[("nama", "ü")], "éüé"),
        ];
        for (template, params, expected) in cases {
            assert_eq!(render(template, params), *expected, "{template:?}");
        }
    }

    #[test]
    fn an_override_with_an_unknown_placeholder_is_refused() {
        assert_eq!(
            TextKey::IntakeRegistered.check_template("Tiket {tiket}"),
            Err(TemplateError::UnknownPlaceholder("tiket".into()))
        );
        assert_eq!(
            TextKey::IntakeRegistered.check_template("  "),
            Err(TemplateError::Empty)
        );
        assert!(matches!(
            TextKey::IntakeSummary.check_template(&"x".repeat(1025)),
            Err(TemplateError::TooLong {
                len: 1025,
                max: 1024
            })
        ));
        assert_eq!(
            TextKey::IntakeRegistered.check_template("Nomor {ticket} {{bukan}}"),
            Ok(())
        );
    }

    proptest! {
        #[test]
        fn render_never_panics(template in "\\PC{0,80}", value in "\\PC{0,20}") {
            let _ = render(&template, &[("nama", &value), ("ticket", "T")]);
            let _ = placeholders_in(&template);
        }

        #[test]
        fn a_template_without_braces_renders_unchanged(template in "[^{}]{0,80}") {
            prop_assert_eq!(render(&template, &[("a", "b")]), template);
        }
    }
}
