//! E-commerce platforms as data: where each platform's operator is domiciled. A complaint
//! against a platform seller who shows no reachable address goes to the platform's home
//! bureau (domain.md, jurisdiction).

use std::sync::OnceLock;

use serde::Deserialize;

use super::taxonomy::DistrictCode;

#[derive(Debug, Deserialize)]
struct Platform {
    name: String,
    aliases: Vec<String>,
    home_district: String,
}

#[derive(Debug, Deserialize)]
struct Platforms {
    platforms: Vec<Platform>,
}

#[expect(
    clippy::expect_used,
    reason = "the built-in file is compiled in and parsed by a unit test"
)]
fn builtin() -> &'static Platforms {
    static DATA: OnceLock<Platforms> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../../reference/platforms.json"))
            .expect("reference/platforms.json is valid")
    })
}

/// Where a complaint against a seller on `platform` goes when the seller cannot be reached:
/// the platform's home bureau when it is one of ours, otherwise the city bureau, which
/// transfers it out.
pub fn fallback_district(platform: &str) -> DistrictCode {
    let wanted = platform.trim().to_lowercase();
    builtin()
        .platforms
        .iter()
        .find(|p| {
            p.name.to_lowercase() == wanted || p.aliases.iter().any(|a| a.to_lowercase() == wanted)
        })
        .and_then(|p| DistrictCode::parse(&p.home_district).ok())
        .unwrap_or_else(DistrictCode::city)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_platforms_route_home_and_others_to_the_city() {
        assert_eq!(fallback_district("侨都优选").as_str(), "440703");
        assert_eq!(fallback_district(" Qiaodu ").as_str(), "440703");
        assert_eq!(fallback_district("淘宝").as_str(), "440700");
        assert_eq!(fallback_district("某不知名平台").as_str(), "440700");
    }
}
