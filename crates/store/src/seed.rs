//! Reference data present after the first start (../shared/DOMAIN.md): the Magetan
//! agencies (OPD) and the 18 kecamatan (both as agencies that can receive a dispatch and as
//! districts where a problem is), and a starting list of complaint categories. Seeding runs
//! once (marker setting `seed.version`), so a superadmin's later edits and deletions stick.

use crate::{Conn, Millis, StoreError, agencies, settings};

/// The agencies to seed: (code, name).
pub const AGENCIES: &[(&str, &str)] = &[
    ("SETDA", "Sekretariat Daerah"),
    ("INSPEKTORAT", "Inspektorat"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah (Bappeda)"),
    (
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)",
    ),
    (
        "BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah (BPKAD)",
    ),
    ("BAPENDA", "Badan Pendapatan Daerah (Bapenda)"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah (BPBD)"),
    (
        "BAKESBANGPOL",
        "Badan Kesatuan Bangsa dan Politik (Bakesbangpol)",
    ),
    ("SATPOLPP", "Satpol PP dan Damkar"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan"),
    ("RSUD", "RSUD dr. Sayidiman"),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang (PUPR)"),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman"),
    ("DINSOS", "Dinas Sosial"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
    ("DISTANKP", "Dinas Pertanian dan Ketahanan Pangan"),
    ("DISPARBUD", "Dinas Pariwisata dan Kebudayaan"),
    ("DISPORA", "Dinas Pemuda dan Olahraga"),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu (DPMPTSP)",
    ),
    ("DISNAKER", "Dinas Tenaga Kerja"),
    ("DISDAG", "Dinas Perdagangan"),
    ("DISKOPUM", "Dinas Koperasi dan Usaha Mikro"),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa"),
    (
        "DP3AKB",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana (P3AKB)",
    ),
    ("DISKAN", "Dinas Perikanan"),
    ("DISPUSIP", "Dinas Perpustakaan dan Kearsipan"),
    ("PDAM", "Perumda Air Minum (PDAM) Lawu Tirta"),
];

/// The 18 kecamatan of Kabupaten Magetan: (Kemendagri code, name).
pub const KECAMATAN: &[(&str, &str)] = &[
    ("35.20.01", "Poncol"),
    ("35.20.02", "Parang"),
    ("35.20.03", "Lembeyan"),
    ("35.20.04", "Takeran"),
    ("35.20.05", "Kawedanan"),
    ("35.20.06", "Magetan"),
    ("35.20.07", "Plaosan"),
    ("35.20.08", "Panekan"),
    ("35.20.09", "Sukomoro"),
    ("35.20.10", "Bendo"),
    ("35.20.11", "Maospati"),
    ("35.20.12", "Barat"),
    ("35.20.13", "Karangrejo"),
    ("35.20.14", "Karas"),
    ("35.20.15", "Kartoharjo"),
    ("35.20.16", "Ngariboyo"),
    ("35.20.17", "Nguntoronadi"),
    ("35.20.18", "Sidorejo"),
];

/// Complaint categories: (code, name).
pub const CATEGORIES: &[(&str, &str)] = &[
    ("jalan_jembatan", "Jalan dan Jembatan"),
    ("air_bersih", "Air Bersih"),
    ("drainase_banjir", "Drainase dan Banjir"),
    ("penerangan_jalan", "Penerangan Jalan Umum"),
    ("kesehatan", "Kesehatan"),
    ("pendidikan", "Pendidikan"),
    ("adminduk", "Administrasi Kependudukan"),
    ("bansos", "Bantuan Sosial"),
    ("lingkungan_sampah", "Lingkungan dan Sampah"),
    ("ketertiban", "Ketertiban Umum"),
    ("perizinan", "Perizinan"),
    ("transportasi", "Transportasi dan Perhubungan"),
    ("pertanian", "Pertanian dan Pangan"),
    ("kepegawaian", "Kepegawaian / ASN"),
    ("informasi_publik", "Permintaan Informasi Publik"),
    ("lainnya", "Lainnya"),
];

/// The agency code of a kecamatan office.
pub fn kecamatan_code(name: &str) -> String {
    format!("KEC-{}", name.to_uppercase())
}

/// Seeds the reference data once. Returns true when it ran.
pub async fn seed_reference_data(c: &mut Conn<'_>, now: Millis) -> Result<bool, StoreError> {
    if settings::get(c, "seed.version").await?.is_some() {
        return Ok(false);
    }
    for (code, name) in AGENCIES {
        if agencies::by_code(c, code).await?.is_none() {
            agencies::insert(c, code, name, "opd", now).await?;
        }
    }
    for (code, name) in KECAMATAN {
        agencies::insert_district(c, code, name).await?;
        let agency = kecamatan_code(name);
        if agencies::by_code(c, &agency).await?.is_none() {
            agencies::insert(c, &agency, &format!("Kecamatan {name}"), "kecamatan", now).await?;
        }
    }
    let existing = agencies::categories(c, false).await?;
    for (code, name) in CATEGORIES {
        if !existing.iter().any(|k| k.code == *code) {
            agencies::insert_category(c, code, name).await?;
        }
    }
    settings::set(c, "seed.version", "1", now).await?;
    Ok(true)
}
