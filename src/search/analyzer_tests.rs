use std::collections::HashSet;

use tantivy::collector::DocSetCollector;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, TantivyDocument, doc};

use super::*;

const SENTENCE: &str = "用了烟酰胺精华后烂脸了，要求七天无理由退货";

fn has(tokens: &[String], word: &str) -> bool {
    tokens.iter().any(|t| t == word)
}

#[test]
fn domain_words_stay_whole_in_sentences() {
    let t = tokens(SENTENCE);
    for word in [
        "烟酰胺",
        "精华",
        "烂脸",
        "七天无理由",
        "无理由退货",
        "七天无理由退货",
        "退货",
    ] {
        assert!(has(&t, word), "{word} missing from {t:?}");
    }
    // No fragment of a longer word where that word covers it.
    for fragment in ["烟", "烂", "脸"] {
        assert!(!has(&t, fragment), "{fragment} in {t:?}");
    }
    let t = tokens("在网上买的祛斑霜涂了两天就过敏，脸上红肿刺痛还脱皮");
    for word in ["祛斑霜", "过敏", "红肿", "刺痛", "脱皮"] {
        assert!(has(&t, word), "{word} missing from {t:?}");
    }
    let t = tokens("江门市新会区一家美容院办的预付卡，老板跑路了，说好的先行赔付也没有");
    for word in ["江门市", "新会区", "美容院", "预付卡", "先行赔付"] {
        assert!(has(&t, word), "{word} missing from {t:?}");
    }
}

#[test]
fn words_give_a_non_overlapping_segmentation() {
    let w = words(SENTENCE);
    for word in ["烟酰胺", "精华", "烂脸"] {
        assert!(has(&w, word), "{word} missing from {w:?}");
    }
    assert!(!has(&w, "酰胺") && !has(&w, "了"), "{w:?}");
    assert!(has(&words("玻尿酸面膜"), "透明质酸"));
}

#[test]
fn every_dictionary_word_is_a_token_of_itself() {
    let entries: Vec<_> = parse_dict(DICT).collect();
    assert!(
        entries.len() >= 200,
        "only {} dictionary entries",
        entries.len()
    );
    let mut seen = HashSet::new();
    for line in parse_lines(DICT) {
        let parts: Vec<_> = line.split_whitespace().collect();
        assert_eq!(parts.len(), 3, "dict line {line:?} is not `word freq tag`");
        assert!(
            parts[1].parse::<usize>().is_ok(),
            "bad frequency in {line:?}"
        );
        assert!(seen.insert(parts[0]), "duplicate dict word {}", parts[0]);
    }
    let analyzer = Analyzer::get();
    for (word, _, _) in entries {
        let t = tokens(word);
        let expected = analyzer.canonical(word);
        assert!(has(&t, expected), "{word} does not stay whole: {t:?}");
    }
}

#[test]
fn stop_words_are_dropped_and_are_not_domain_words() {
    let t = tokens("我的面膜是在商场买的，但是我们都觉得它有问题啊！！");
    for stop in [
        "我", "的", "是", "在", "但是", "我们", "都", "它", "啊", "，", "！",
    ] {
        assert!(!has(&t, stop), "{stop} kept in {t:?}");
    }
    assert!(has(&t, "面膜") && has(&t, "商场"), "{t:?}");
    let domain: HashSet<_> = parse_dict(DICT)
        .map(|(w, _, _)| w.to_string())
        .chain(parse_synonyms(SYNONYMS).into_iter().flatten())
        .collect();
    let stop: Vec<_> = parse_lines(STOPWORDS).collect();
    assert!(stop.len() >= 200, "only {} stop words", stop.len());
    for word in stop {
        assert!(!domain.contains(word), "stop word {word} is a domain word");
    }
}

#[test]
fn ascii_is_lowercased_and_full_width_folded() {
    let t = tokens("GlowLab 的 SPF50+ 防晒霜");
    assert!(
        has(&t, "glowlab") && has(&t, "spf50") && has(&t, "防晒霜"),
        "{t:?}"
    );
    assert_eq!(tokens("ＧｌｏｗＬａｂ"), vec!["glowlab".to_string()]);
    // Offsets point into the original text, whatever the folding did.
    let text = "买了ＧｌｏｗＬａｂ面膜";
    let mut stream = text_analyzer();
    let mut stream = stream.token_stream(text);
    let mut spans = Vec::new();
    while let Some(token) = stream.next() {
        spans.push((
            token.text.clone(),
            &text[token.offset_from..token.offset_to],
        ));
    }
    assert!(
        spans.contains(&("glowlab".to_string(), "ＧｌｏｗＬａｂ")),
        "{spans:?}"
    );
    assert!(spans.contains(&("面膜".to_string(), "面膜")), "{spans:?}");
}

#[test]
fn synonyms_canonicalise_every_member_the_same_way() {
    let groups = parse_synonyms(SYNONYMS);
    assert!(groups.len() >= 30, "only {} synonym groups", groups.len());
    for group in &groups {
        let canonical = &group[0];
        let expected = analyze(canonical);
        assert!(
            expected
                .iter()
                .any(|t| t.position == 0 && t.text == *canonical),
            "{canonical} is not a token of itself"
        );
        for member in group {
            let got = analyze(member);
            let pairs = |ts: &[Token]| -> Vec<_> {
                ts.iter().map(|t| (t.position, t.text.clone())).collect()
            };
            assert_eq!(pairs(&got), pairs(&expected), "{member} vs {canonical}");
        }
    }
    assert!(has(&tokens("玻尿酸精华"), "透明质酸"));
    // Words inside any member are tokens of every member: 化妆 finds the typo 化装品 too.
    assert!(has(&tokens("化装品"), "化妆"));
    assert!(has(&tokens("商家不肯退钱"), "退款"));
    assert!(!has(&tokens("商家不肯退钱"), "退钱"));
}

#[test]
fn tokens_equal_the_analyzer_stream_and_positions_never_decrease() {
    let mut analyzer = text_analyzer();
    for text in [SENTENCE, PROBE, "玻尿酸钠和透明质酸", ""] {
        let mut stream = analyzer.token_stream(text);
        let mut streamed = Vec::new();
        let mut last = 0;
        while let Some(token) = stream.next() {
            assert!(token.position >= last, "position went back in {text}");
            last = token.position;
            streamed.push(token.text.clone());
        }
        assert_eq!(streamed, tokens(text));
    }
}

#[test]
fn odd_input_does_not_panic() {
    let long = "烟酰胺".repeat(20_000);
    let hash = "a".repeat(500);
    for text in [
        "",
        " ",
        "，。！？",
        "\u{3000}\u{3000}",
        "😀😀烂脸😀",
        "é\u{301}",
        "\u{0}\u{7f}",
        "\r\n\r\n",
        "𠀀𠀁𪚥",
        "++##",
        "C++ 和 C#",
        &long,
        &hash,
        "１２３４５６",
        "粤G妆网备字2022001234",
    ] {
        let t = tokens(text);
        assert!(
            t.iter()
                .all(|t| !t.is_empty() && t.len() <= MAX_TOKEN_BYTES),
            "{t:?}"
        );
    }
    assert!(tokens("，。！？").is_empty());
    assert_eq!(
        tokens("𪚥"),
        vec!["𪚥".to_string()],
        "unknown hanzi become tokens"
    );
}

#[test]
fn version_and_fingerprint_are_derived() {
    assert_ne!(ANALYZER_VERSION, 0);
    let fp = analyzer_fingerprint();
    assert!(
        fp.starts_with(&format!("zh-{ANALYZER_VERSION:08x}-")),
        "{fp}"
    );
    assert_eq!(fp, analyzer_fingerprint());
}

fn search_index(texts: &[&str]) -> (Index, tantivy::schema::Field) {
    let mut builder = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ZH)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = builder.add_text_field(
        "text",
        TextOptions::default().set_indexing_options(indexing) | STORED,
    );
    let index = Index::create_in_ram(builder.build());
    register(&index);
    let mut writer = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    for t in texts {
        writer.add_document(doc!(text => *t)).expect("add");
    }
    writer.commit().expect("commit");
    (index, text)
}

/// Indices (in `texts`) of the documents `query` matches.
fn hits(index: &Index, field: tantivy::schema::Field, texts: &[&str], query: &str) -> Vec<usize> {
    let parser = QueryParser::for_index(index, vec![field]);
    let query = parser.parse_query(query).expect("query parses");
    let searcher = index.reader().expect("reader").searcher();
    let found = searcher.search(&query, &DocSetCollector).expect("search");
    let mut out: Vec<usize> = found
        .into_iter()
        .map(|addr| {
            let doc: TantivyDocument = searcher.doc(addr).expect("doc");
            let stored = doc
                .get_first(field)
                .and_then(|v| tantivy::schema::Value::as_str(&v));
            texts
                .iter()
                .position(|t| Some(*t) == stored)
                .expect("known text")
        })
        .collect();
    out.sort();
    out
}

#[test]
fn tantivy_index_finds_domain_words_synonyms_and_phrases() {
    let texts = [
        SENTENCE,
        "这款面霜含有透明质酸，保湿效果一般，商家不肯退钱",
        "GlowLab 美白精华用后皮肤过敏，脸上红肿",
        "店门口有人抽烟，烟味很重",
        "买的玻尿酸原液是三无产品，没有备案号",
    ];
    let (index, field) = search_index(&texts);
    let q = |query: &str| hits(&index, field, &texts, query);
    assert_eq!(q("玻尿酸"), vec![1, 4]);
    assert_eq!(q("透明质酸"), vec![1, 4]);
    assert_eq!(q("烟酰胺"), vec![0]);
    assert_eq!(
        q("酰胺"),
        vec![0],
        "full mode: search recall is not hot terms' precise mode"
    );
    assert_eq!(
        q("退货"),
        vec![0],
        "a word inside a longer domain word is found"
    );
    assert!(!q("烟").contains(&0), "烟 alone must not match 烟酰胺");
    assert_eq!(q("烂脸"), vec![0]);
    assert_eq!(q("毁容"), vec![0], "synonym of 烂脸");
    assert_eq!(q("退款"), vec![1]);
    assert_eq!(q("退费"), vec![1], "one non-canonical member finds another");
    assert_eq!(q("glowlab"), vec![2]);
    assert_eq!(q("GLOWLAB"), vec![2]);
    assert_eq!(q("过敏反应"), vec![2]);
    assert_eq!(q("\"烟酰胺精华\""), vec![0]);
    assert_eq!(q("\"七天无理由退货\""), vec![0]);
    assert_eq!(q("\"精华烟酰胺\""), Vec::<usize>::new());
    // Punctuation and spaces do not count in phrase positions.
    assert_eq!(q("\"三无产品 没有 备案号\""), vec![4]);
    assert_eq!(q("\"三无产品没有备案号\""), vec![4]);
    assert_eq!(q("\"备案号 没有\""), Vec::<usize>::new());
    assert_eq!(q("\"三无商品\""), vec![4]);
    assert_eq!(q("烂脸 AND 退货"), vec![0]);
    assert_eq!(q("精华 -烟酰胺"), vec![2]);
}

/// Throughput of `tokens()` over realistic complaint texts. Run with
/// `cargo test --release --lib search::analyzer::tests::tokenise_speed -- --ignored --nocapture`.
#[test]
#[ignore]
fn tokenise_speed() {
    let texts = [
        SENTENCE,
        PROBE,
        "本人于2025年3月在某电商平台GlowLab旗舰店购买美白精华液两瓶，共计398元。使用三天后面部出现红肿、\
         瘙痒、刺痛，到江门市中心医院皮肤科就诊，诊断为接触性皮炎，花费医药费560元。联系客服要求退货退款并\
         赔偿医药费，客服称产品没有质量问题，只同意退一瓶的钱。要求商家退一赔三并承担医疗费用。",
        "2024年12月在蓬江区某美容会所办理预付卡充值5000元，做了两次面部护理后店铺关门，老板联系不上，\
         剩余金额4200元无法退还，要求协助追回预付款。",
        "在直播间购买的祛斑霜，主播宣传一周淡斑、无任何激素，包装上没有中文标签和妆字号，查不到备案信息，\
         怀疑是三无产品，使用后出现激素脸症状，要求商家退款并对其虚假宣传行为进行查处。",
        "商场专柜买的洗面奶，回家发现已经过了保质期，要求更换被拒绝，店员态度恶劣。",
    ];
    let _ = tokens("预热");
    let rounds = 3_000;
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum::<usize>() * rounds;
    let started = std::time::Instant::now();
    let mut emitted = 0usize;
    for _ in 0..rounds {
        for t in &texts {
            emitted += tokens(t).len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} texts, {chars} chars, {emitted} tokens in {secs:.3}s: {:.0} texts/s, {:.2} M chars/s",
        rounds * texts.len(),
        (rounds * texts.len()) as f64 / secs,
        chars as f64 / secs / 1e6
    );
}
