//! Reader words: the words of a complaint a reader would name when asked what it is about,
//! counted by hot terms (`hot`). Search keeps the full-mode "zh" analyzer and its recall; this
//! is a second, stricter look at the same stored (already masked) text.
//!
//! jieba's precise mode over the same dictionary as the index, without HMM guesses, so each
//! stretch of text is one known word (效果在 gives 效果 and 在, never 果在). Kept: nouns, verbs and adjectives by jieba's
//! part-of-speech tag, and every word of the domain dictionary whatever its tag. Dropped: person
//! names, adverbial and morpheme forms, negated verbs (没有, 不能), numbers, single
//! characters, Latin words that are not in
//! the domain dictionary (brand and shop names vary per case), and the generic complaint words in
//! `index/hot_stopwords.txt` (写明, 多个, 平时…) besides the index's own stop words.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::analyzer::{DICT, tagged_words};

/// Generic words of complaint narratives that say nothing about the issue, one per line.
pub const HOT_STOPWORDS: &str = include_str!("../../index/hot_stopwords.txt");

/// The lists a reader word is judged against, built once.
struct Lists {
    domain: HashSet<String>,
    stopwords: HashSet<String>,
}

impl Lists {
    fn get() -> &'static Lists {
        static LISTS: OnceLock<Lists> = OnceLock::new();
        LISTS.get_or_init(|| Lists {
            domain: word_column(DICT).map(str::to_lowercase).collect(),
            stopwords: word_column(HOT_STOPWORDS).map(str::to_owned).collect(),
        })
    }
}

/// The first word of every line that is neither blank nor a `#` comment.
fn word_column(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next())
}

/// Whether a part-of-speech tag marks a noun, verb or adjective a reader would name: `n*`
/// except person names (`nr*`, personal data) and noun morphemes (`ng`); `v`, `vn` (退款) and
/// `vi`, not adverbial `vd` nor morphemes `vg`; `a` and `an`, not adverbial `ad` nor `ag`.
fn names_a_thing(tag: &str) -> bool {
    match tag.as_bytes().first() {
        Some(b'n') => !tag.starts_with("nr") && tag != "ng",
        Some(b'v') => matches!(tag, "v" | "vn" | "vi"),
        Some(b'a') => matches!(tag, "a" | "an"),
        _ => false,
    }
}

/// A negated verb or adjective (不能, 没有, 不符): it says what did not happen, and the
/// thing that did not happen is the word a reader names (退款, not 没退).
fn is_negated(word: &str, tag: &str) -> bool {
    !tag.starts_with('n') && word.starts_with(['不', '没'])
}

/// Whether `word` (tagged `tag`) is a reader word.
fn is_reader_word(lists: &Lists, word: &str, tag: &str) -> bool {
    if lists.domain.contains(word) {
        return true;
    }
    word.chars().count() >= 2
        && word.chars().all(|c| !c.is_ascii_alphanumeric())
        && names_a_thing(tag)
        && !is_negated(word, tag)
        && !lists.stopwords.contains(word)
}

/// The distinct reader words of `text`, in order of first appearance.
pub fn reader_words(text: &str) -> Vec<String> {
    let lists = Lists::get();
    let mut seen = HashSet::new();
    tagged_words(text)
        .into_iter()
        .filter(|(word, tag)| is_reader_word(lists, word, tag))
        .filter_map(|(word, _)| seen.insert(word.clone()).then_some(word))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(text: &str) -> Vec<String> {
        reader_words(text)
    }

    #[test]
    fn no_fragment_across_word_boundaries() {
        let w = words_of("用了一个月美白效果在哪里都看不到");
        assert!(!w.contains(&"果在".to_string()), "{w:?}");
        assert!(w.contains(&"美白".to_string()), "{w:?}");
    }

    #[test]
    fn a_sentence_yields_what_a_reader_would_name() {
        let w = words_of("超市买的牙膏和平时用的味道不同，包装批号模糊");
        for word in ["超市", "牙膏", "味道", "包装", "批号", "模糊"] {
            assert!(w.contains(&word.to_string()), "{word} missing from {w:?}");
        }
        for noise in ["和平", "平时", "不同", "买"] {
            assert!(!w.contains(&noise.to_string()), "{noise} in {w:?}");
        }
    }

    #[test]
    fn generic_words_and_latin_names_are_out() {
        let w = words_of(
            "跟团游合同写明纯玩无购物，导游却带去多个购物店，不买就甩脸色，NorthPeak 旗舰店 ros 123",
        );
        for noise in ["写明", "多个", "脸色", "northpeak", "ros", "123"] {
            assert!(!w.contains(&noise.to_string()), "{noise} in {w:?}");
        }
        for word in ["合同", "导游", "购物"] {
            assert!(w.contains(&word.to_string()), "{word} missing from {w:?}");
        }
    }

    #[test]
    fn domain_words_stay_whole() {
        let w = words_of("用了烟酰胺精华后烂脸了，要求七天无理由退货，补水面膜也过敏");
        for word in ["烟酰胺", "精华", "烂脸", "七天无理由退货", "面膜", "过敏"] {
            assert!(w.contains(&word.to_string()), "{word} missing from {w:?}");
        }
        for fragment in ["酰胺", "水面"] {
            assert!(!w.contains(&fragment.to_string()), "{fragment} in {w:?}");
        }
    }

    #[test]
    fn each_word_once() {
        assert_eq!(words_of("退款退款，还是退款"), vec!["退款".to_string()]);
    }

    #[test]
    fn stop_list_is_disjoint_from_the_domain_dictionary() {
        let lists = Lists::get();
        let both: Vec<_> = lists.stopwords.intersection(&lists.domain).collect();
        assert!(both.is_empty(), "{both:?}");
    }
}
