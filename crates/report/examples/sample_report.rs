//! Writes the sample reports of the test fixture to a folder, to look at them:
//! `cargo run -p wani-bares-report --example sample_report -- OUT_DIR`.

#[path = "../tests/report/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use wani_bares_report::{Format, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    let months = [
        ("contoh", fixture::hand_month()),
        ("kosong", fixture::empty_input(fixture::november())),
        ("ramai", fixture::synthetic_month(300)),
    ];
    for (name, input) in months {
        for format in [Format::Pdf, Format::Xlsx, Format::Csv] {
            let path = format!("{dir}/{name}.{format}");
            std::fs::write(&path, render(&input, format)?)?;
            println!("{path}");
        }
    }
    Ok(())
}
