//! The Chinese text analyzer ("zh") used by every text field of the search index.
//!
//! Segmentation is jieba's full mode over the built-in dictionary plus the domain dictionary in
//! `index/dict.txt`: every dictionary word found anywhere in the text is emitted at its character
//! position, overlapping words included, so `烟酰胺精华` yields `烟酰胺`, `酰胺` and `精华`, and
//! `七天无理由退货` yields `七天无理由`, `无理由退货`, `退货`… A single character is emitted only
//! where no longer word covers it: a query for `烟` does not match a text that only has `烟酰胺`
//! (whole-word matching), while any dictionary word occurring in a text is found by a query for
//! that word. A token's position is its offset counted in letters and digits (punctuation and
//! spaces do not count), so a phrase query matches when its words sit at the same relative
//! offsets in the text, whatever punctuation or spacing separates them; overlapping words at one
//! position do no harm.
//!
//! Then: full-width ASCII folded to half-width and ASCII lowercased (`ＧｌｏｗＬａｂ` → `glowlab`),
//! stop words (`index/stopwords.txt`) and tokens without a letter or digit dropped, and synonyms
//! (`index/synonyms.txt`) replaced by their group's canonical term. For a synonym the words inside
//! it are replaced by the words inside every member of its group, so a query for any member
//! produces the same tokens as a text holding any other member: `玻尿酸` finds `透明质酸` and back.
//! A phrase only matches across synonyms of equal length (positions count characters).
//!
//! The same analysis runs at index and at query time. [`ANALYZER_VERSION`] and
//! [`analyzer_fingerprint`] change whenever the data files or [`LOGIC_REVISION`] change; the index
//! stores the fingerprint and is rebuilt when it differs.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::Jieba;

/// Name under which the analyzer is registered.
pub const ZH: &str = "zh";

/// The domain dictionary: `word freq tag` per line.
pub const DICT: &str = include_str!("../../index/dict.txt");
/// Stop words, one per line.
pub const STOPWORDS: &str = include_str!("../../index/stopwords.txt");
/// Synonym groups, one per line, comma-separated, canonical term first.
pub const SYNONYMS: &str = include_str!("../../index/synonyms.txt");

/// Bump when the tokenisation logic in this file changes, or when jieba-rs is upgraded.
pub const LOGIC_REVISION: &str = "zh-full-mode-1 jieba-rs-0.11";

/// Derived from [`LOGIC_REVISION`] and the three data files (FNV-1a), so it changes by itself.
pub const ANALYZER_VERSION: u32 = {
    let h = fnv1a(0x811c_9dc5, LOGIC_REVISION.as_bytes());
    let h = fnv1a(fnv1a(h, b"\0"), DICT.as_bytes());
    let h = fnv1a(fnv1a(h, b"\0"), STOPWORDS.as_bytes());
    fnv1a(fnv1a(h, b"\0"), SYNONYMS.as_bytes())
};

/// Tokens longer than this (bytes) are dropped: pasted hashes, URLs without separators.
const MAX_TOKEN_BYTES: usize = 64;

const fn fnv1a(mut hash: u32, bytes: &[u8]) -> u32 {
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

/// A stable identifier of everything that decides which tokens a text yields: the logic
/// revision, the data files and the analysis of a probe text (which also catches a change of
/// jieba's built-in dictionary). Store it with the index; a different value means reindex.
pub fn analyzer_fingerprint() -> String {
    static FINGERPRINT: OnceLock<String> = OnceLock::new();
    FINGERPRINT
        .get_or_init(|| {
            let mut hasher = Sha256::new();
            for part in [LOGIC_REVISION, DICT, STOPWORDS, SYNONYMS] {
                hasher.update(part.as_bytes());
                hasher.update([0u8]);
            }
            for token in analyze(PROBE) {
                hasher.update(token.position.to_le_bytes());
                hasher.update(token.text.as_bytes());
                hasher.update([0u8]);
            }
            let digest = hex::encode(hasher.finalize());
            format!("{ZH}-{ANALYZER_VERSION:08x}-{}", &digest[..16])
        })
        .clone()
}

const PROBE: &str = "我在网上买的GlowLab烟酰胺美白精华，用了三天就烂脸了，脸上红肿刺痛、脱皮，\
    商家说是正常的排毒反应，拒绝七天无理由退货。客服承诺先行赔付，却一直不退款。\
    江门市新会区某美容院办了预付卡，店铺突然关门跑路。包装上没有中文标签和备案号，怀疑是三无产品。";

/// Registers the "zh" analyzer on `index`.
pub fn register(index: &tantivy::Index) {
    index.tokenizers().register(ZH, text_analyzer());
}

/// The "zh" analyzer, for use outside an index (snippets, tests).
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ZhTokenizer).build()
}

/// Exactly the token texts the "zh" analyzer emits for `text`, in emission order.
pub fn tokens(text: &str) -> Vec<String> {
    analyze(text).into_iter().map(|t| t.text).collect()
}

/// How many words jieba alone (full mode, the same dictionary, no normalising or filtering)
/// finds in `text`: the baseline the reindex benchmark compares against.
pub fn bare_jieba_count(text: &str) -> usize {
    Analyzer::get().jieba.cut_all(text).len()
}

/// A non-overlapping segmentation (jieba's default mode with HMM), normalised, filtered and
/// canonicalised like [`tokens`]: each stretch of text counted once, for term statistics and
/// display. Not what the index holds; search with the "zh" analyzer.
pub fn words(text: &str) -> Vec<String> {
    let analyzer = Analyzer::get();
    let (norm, _) = normalise(text);
    let mut out = Vec::new();
    for word in analyzer.jieba.cut(&norm, true) {
        if let Some(term) = analyzer.term(word.word) {
            out.push(analyzer.canonical(term).to_string());
        }
    }
    out
}

/// Precise-mode segmentation with jieba's part-of-speech tags, over the same dictionary as
/// [`tokens`], normalised, stop-word filtered and canonicalised like [`words`]: what
/// `hot_words` picks reader words from. HMM is off: it would guess words across boundaries
/// (团游 from 跟团游), so text jieba does not know comes out as single characters.
pub(super) fn tagged_words(text: &str) -> Vec<(String, String)> {
    let analyzer = Analyzer::get();
    let (norm, _) = normalise(text);
    let mut out = Vec::new();
    for tagged in analyzer.jieba.tag(&norm, false) {
        if let Some(term) = analyzer.term(tagged.word) {
            out.push((analyzer.canonical(term).to_string(), tagged.tag.to_string()));
        }
    }
    out
}

/// The tokenizer behind "zh": segmentation and every filter in one pass.
#[derive(Clone, Copy, Debug, Default)]
pub struct ZhTokenizer;

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = ZhTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhTokenStream {
        ZhTokenStream {
            tokens: analyze(text),
            next: 0,
            current: Token::default(),
        }
    }
}

/// Tokens of one text, computed up front.
pub struct ZhTokenStream {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

impl TokenStream for ZhTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(token) => {
                self.current = std::mem::take(token);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// A token relative to the start of a synonym: (char start, char end, text).
type Inner = (usize, usize, String);

struct Analyzer {
    jieba: Jieba,
    stopwords: HashSet<String>,
    /// Synonym member (lowercased) → group index.
    synonyms: HashMap<String, usize>,
    /// Canonical term of each group.
    canonical: Vec<String>,
    /// Tokens inside any member of each group, relative to the member's start.
    inner: Vec<Vec<Inner>>,
}

impl Analyzer {
    fn get() -> &'static Analyzer {
        static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
        ANALYZER.get_or_init(Analyzer::build)
    }

    fn build() -> Analyzer {
        let mut jieba = Jieba::new();
        for (word, freq, tag) in parse_dict(DICT) {
            jieba.add_word(word, Some(freq), Some(tag));
        }
        let groups = parse_synonyms(SYNONYMS);
        let mut synonyms = HashMap::new();
        for (group, members) in groups.iter().enumerate() {
            for member in members {
                if !jieba.has_word(member) {
                    jieba.add_word(member, Some(1000), Some("n"));
                }
                synonyms.entry(member.clone()).or_insert(group);
            }
        }
        let mut analyzer = Analyzer {
            jieba,
            stopwords: parse_lines(STOPWORDS).map(|w| w.to_lowercase()).collect(),
            synonyms,
            canonical: groups.iter().map(|g| g[0].clone()).collect(),
            inner: vec![Vec::new(); groups.len()],
        };
        // A member may contain members of other groups (or a longer member of its own), whose
        // inner tokens depend on each other: iterate to a fixed point (the set is finite).
        for _ in 0..8 {
            let mut next = vec![Vec::new(); groups.len()];
            for (group, members) in groups.iter().enumerate() {
                let set: &mut Vec<Inner> = &mut next[group];
                for member in members {
                    let len = member.chars().filter(|c| c.is_alphanumeric()).count();
                    for token in analyzer.analyze_with(member, true) {
                        let end = token.position + token.position_length;
                        let whole = token.position == 0 && end == len;
                        let same = token.position == 0 && token.text == analyzer.canonical[group];
                        let entry = (token.position, end, token.text);
                        if !whole && !same && !set.contains(&entry) {
                            set.push(entry);
                        }
                    }
                }
                set.sort();
            }
            if next == analyzer.inner {
                break;
            }
            analyzer.inner = next;
        }
        analyzer
    }

    /// The normalised token text if it is worth indexing.
    fn term<'a>(&self, word: &'a str) -> Option<&'a str> {
        let word = word.trim_matches(['+', '#']);
        let keep = !word.is_empty()
            && word.len() <= MAX_TOKEN_BYTES
            && word.chars().any(char::is_alphanumeric)
            && !self.stopwords.contains(word);
        keep.then_some(word)
    }

    fn canonical<'a>(&'a self, term: &'a str) -> &'a str {
        match self.synonyms.get(term) {
            Some(&group) => &self.canonical[group],
            None => term,
        }
    }

    fn analyze(&self, text: &str) -> Vec<Token> {
        self.analyze_with(text, false)
    }

    /// With `open_whole`, a synonym spanning the whole text keeps the words inside it: how the
    /// inner tokens of a synonym group are found.
    fn analyze_with(&self, text: &str, open_whole: bool) -> Vec<Token> {
        let (norm, offsets) = normalise(text);
        let n = offsets.len() - 1;
        let raw: Vec<(usize, usize, &str)> = self
            .jieba
            .cut_all(&norm)
            .into_iter()
            .filter(|t| t.start < t.end && t.end <= n)
            .map(|t| (t.start, t.end, t.word))
            .collect();

        // Characters covered by a word of two or more characters, and those that start a token.
        let mut covered = vec![false; n];
        let mut started = vec![false; n];
        for &(start, end, _) in &raw {
            started[start] = true;
            if end - start > 1 {
                covered[start..end].iter_mut().for_each(|c| *c = true);
            }
        }
        let mut candidates: Vec<(usize, usize, &str)> = raw
            .into_iter()
            .filter(|&(start, end, _)| end - start > 1 || !covered[start])
            .collect();
        // Characters jieba does not know at all (rare hanzi) become tokens of their own.
        // slot[p]: token position of char p, counting letters and digits only, so that
        // punctuation and spaces do not keep a phrase from matching.
        let mut slot = Vec::with_capacity(n + 1);
        slot.push(0usize);
        for (p, (i, c)) in norm.char_indices().enumerate() {
            if !covered[p] && !started[p] {
                candidates.push((p, p + 1, &norm[i..i + c.len_utf8()]));
            }
            slot.push(slot[p] + usize::from(c.is_alphanumeric()));
        }

        // Synonym spans: what lies strictly inside one is replaced by the group's inner tokens.
        // reach[p]: furthest end of a span starting before p; longest[p]: of one starting at p.
        let mut longest = vec![0usize; n + 1];
        for &(start, end, word) in &candidates {
            let whole = open_whole && start == 0 && end == n;
            if !whole && self.synonyms.contains_key(word.trim_matches(['+', '#'])) {
                longest[start] = longest[start].max(end);
            }
        }
        let mut reach = vec![0usize; n + 1];
        for p in 1..=n {
            reach[p] = reach[p - 1].max(longest[p - 1]);
        }

        let mut out: Vec<Token> = Vec::with_capacity(candidates.len());
        // A token at slots `at..at + length` for the text between chars `from` and `to`.
        let mut push = |at: usize, length: usize, from: usize, to: usize, text: &str| {
            out.push(Token {
                offset_from: offsets[from],
                offset_to: offsets[to],
                position: at,
                position_length: length,
                text: text.to_string(),
            });
        };
        for &(start, end, word) in &candidates {
            if reach[start] >= end || longest[start] > end {
                continue;
            }
            let Some(term) = self.term(word) else {
                continue;
            };
            match self.synonyms.get(term) {
                Some(&group) => {
                    let at = slot[start];
                    push(at, slot[end] - at, start, end, &self.canonical[group]);
                    for (s, e, text) in &self.inner[group] {
                        push(at + s, e - s, start, end, text);
                    }
                }
                None => push(slot[start], slot[end] - slot[start], start, end, term),
            }
        }
        // Positions must not decrease; one token per (position, text), the longest kept.
        out.sort_by(|a, b| {
            (a.position, &a.text, b.position_length).cmp(&(b.position, &b.text, a.position_length))
        });
        out.dedup_by(|later, kept| later.position == kept.position && later.text == kept.text);
        out
    }
}

fn analyze(text: &str) -> Vec<Token> {
    Analyzer::get().analyze(text)
}

/// Folds full-width ASCII to half-width and lowercases ASCII, char for char. Returns the
/// normalised text and the original byte offset of every char (plus the end).
fn normalise(text: &str) -> (String, Vec<usize>) {
    let mut norm = String::with_capacity(text.len());
    let mut offsets = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        };
        norm.push(c.to_ascii_lowercase());
        offsets.push(i);
    }
    offsets.push(text.len());
    (norm, offsets)
}

/// Non-empty lines that are not `#` comments, trimmed.
fn parse_lines(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Dictionary entries; a line without a valid frequency gets 1000, a missing tag "n".
fn parse_dict(data: &str) -> impl Iterator<Item = (&str, usize, &str)> {
    parse_lines(data).filter_map(|line| {
        let mut parts = line.split_whitespace();
        let word = parts.next()?;
        let freq = parts.next().and_then(|f| f.parse().ok()).unwrap_or(1000);
        Some((word, freq, parts.next().unwrap_or("n")))
    })
}

/// Synonym groups, lowercased; a term already in an earlier group is skipped there.
fn parse_synonyms(data: &str) -> Vec<Vec<String>> {
    let mut seen = HashSet::new();
    parse_lines(data)
        .map(|line| {
            line.split([',', '，'])
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty() && seen.insert(t.clone()))
                .collect::<Vec<_>>()
        })
        .filter(|g| g.len() > 1)
        .collect()
}

#[cfg(test)]
#[path = "analyzer_tests.rs"]
mod tests;
