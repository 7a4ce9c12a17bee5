//! How text becomes search terms: the tokenizers registered on every index.
//!
//! [`FRENCH`], for titles and descriptions, runs in this order: a word tokenizer that keeps an
//! apostrophe inside a word, lowercasing, elision (`l'eau` → `eau`), accent folding (`é` → `e`,
//! `œ` → `oe`), French stop words, removal of tokens longer than 40 characters, and a light
//! French stemmer. [`FOLDED`], for names matched by prefix, only lowercases and folds.
//!
//! Queries go through the same analyzer as the field they search ([`french_terms`],
//! [`folded_terms`]), so every rule here applies to both sides alike.

use std::str::CharIndices;
use std::sync::LazyLock;

use tantivy::Index;
use tantivy::schema::{IndexRecordOption, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter,
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Tokenizer name for full-text fields (titles, descriptions): the French analysis.
pub const FRENCH: &str = "fr";
/// Tokenizer name for names and keywords matched by prefix (suggestions): lowercase and accent
/// folding, no stemming, no stop words.
pub const FOLDED: &str = "folded";

/// Longer tokens are identifiers, URLs or encoded data rather than words.
const MAX_TOKEN_CHARS: usize = 40;

/// Articles and conjunctions that elide before a vowel, stripped with their apostrophe.
const ELIDED: &[&str] = &[
    "c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// French stop words, folded (`à` is `a`, `où` is `ou`) because they are removed after folding.
/// "pas" is kept for Pas-de-Calais, "est" for Grand Est and "ete" for the season.
const STOP_WORDS: &[&str] = &[
    "a", "ai", "au", "aux", "avec", "c", "ce", "ceci", "cela", "ces", "cet", "cette", "d", "dans",
    "de", "des", "dont", "du", "elle", "elles", "en", "et", "eux", "il", "ils", "j", "je", "l",
    "la", "le", "les", "leur", "leurs", "lui", "m", "ma", "mais", "me", "mes", "moi", "mon", "n",
    "ne", "nos", "notre", "nous", "on", "ont", "ou", "par", "pour", "qu", "que", "qui", "quoi",
    "s", "sa", "sans", "se", "ses", "son", "sont", "sur", "t", "ta", "te", "tes", "toi", "ton",
    "tu", "un", "une", "vos", "votre", "vous", "y",
];

static FRENCH_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(LowerCaser)
        .filter(Rewrite(strip_elision))
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|word| (*word).to_owned()),
        ))
        .filter(long_token_filter())
        .filter(Rewrite(stem))
        .build()
});

static FOLDED_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(long_token_filter())
        .build()
});

/// Registers [`FRENCH`] and [`FOLDED`] on the index's tokenizer manager.
pub fn register(index: &Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(FRENCH, FRENCH_ANALYZER.clone());
    tokenizers.register(FOLDED, FOLDED_ANALYZER.clone());
}

/// A text field searched in French (words scored by frequency, phrases by position).
pub fn french_text() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(FRENCH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// A text field of folded whole words, matched by prefix as the user types.
pub fn folded_words() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(FOLDED)
            .set_index_option(IndexRecordOption::Basic),
    )
}

/// The terms `text` yields under [`FRENCH`], in order.
pub fn french_terms(text: &str) -> Vec<String> {
    terms(&FRENCH_ANALYZER, text)
}

/// The terms `text` yields under [`FOLDED`], in order.
pub fn folded_terms(text: &str) -> Vec<String> {
    terms(&FOLDED_ANALYZER, text)
}

fn terms(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    // A token stream borrows its analyzer mutably; clones share the stop-word set.
    let mut analyzer = analyzer.clone();
    let mut terms = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |token| terms.push(token.text.clone()));
    terms
}

/// `RemoveLongFilter` counts UTF-8 bytes and keeps only tokens *shorter* than its limit; after
/// folding, French words are ASCII, so this keeps words of up to 40 characters.
fn long_token_filter() -> RemoveLongFilter {
    RemoveLongFilter::limit(MAX_TOKEN_CHARS + 1)
}

/// Splits text into runs of alphanumerics, as tantivy's `SimpleTokenizer` does, except that an
/// apostrophe between two alphanumerics stays in the word: elision then strips `l'` from `l'eau`
/// rather than the tokenizer leaving a stray `l`, and `aujourd'hui` stays one word.
#[derive(Clone, Default)]
struct WordTokenizer {
    token: Token,
}

struct WordStream<'a> {
    text: &'a str,
    chars: CharIndices<'a>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            chars: text.char_indices(),
            token: &mut self.token,
        }
    }
}

impl WordStream<'_> {
    /// Consumes the rest of the current word and returns the offset where it ends.
    fn word_end(&mut self) -> usize {
        for (offset, c) in self.chars.by_ref() {
            let next = &self.text[offset + c.len_utf8()..];
            let joins_words = is_apostrophe(c) && next.starts_with(char::is_alphanumeric);
            if !c.is_alphanumeric() && !joins_words {
                return offset;
            }
        }
        self.text.len()
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        let Some((start, _)) = self.chars.find(|(_, c)| c.is_alphanumeric()) else {
            return false;
        };
        let end = self.word_end();
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.text.push_str(&self.text[start..end]);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’')
}

/// A token filter that rewrites each token's text in place with a plain function.
#[derive(Clone)]
struct Rewrite(fn(&mut String));

impl TokenFilter for Rewrite {
    type Tokenizer<T: Tokenizer> = RewriteTokenizer<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> RewriteTokenizer<T> {
        RewriteTokenizer {
            rewrite: self.0,
            inner,
        }
    }
}

#[derive(Clone)]
struct RewriteTokenizer<T> {
    rewrite: fn(&mut String),
    inner: T,
}

impl<T: Tokenizer> Tokenizer for RewriteTokenizer<T> {
    type TokenStream<'a> = RewriteStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        RewriteStream {
            rewrite: self.rewrite,
            tail: self.inner.token_stream(text),
        }
    }
}

struct RewriteStream<S> {
    rewrite: fn(&mut String),
    tail: S,
}

impl<S: TokenStream> TokenStream for RewriteStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        (self.rewrite)(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// `l'eau` → `eau`, `qu'il` → `il`. The typographic apostrophe is first written `'`, so that
/// both spellings elide, and both spellings of a word that keeps its apostrophe agree.
fn strip_elision(word: &mut String) {
    if word.contains('’') {
        *word = word.replace('’', "'");
    }
    if let Some(apostrophe) = word.find('\'')
        && ELIDED.contains(&&word[..apostrophe])
    {
        word.drain(..=apostrophe);
    }
}

/// A light French stemmer for lowercase folded words, after Savoy's light stemmer (Lucene's
/// `FrenchLightStemmer`) but smaller: it undoes plural and feminine inflection and leaves
/// derivation alone (`information` and `informatique` stay apart, `-ment` and `-ation` words are
/// kept). tantivy's own French `Stemmer` is Snowball's (`frostem` since 0.27, `rust-stemmers`
/// before), which strips derivational suffixes too and reduces `données`, `donner` and `don` (a
/// donation) alike to `don`; it also expects accented input, so could not run after folding.
///
/// Words of fewer than four letters, and words with digits or letters that did not fold to ASCII,
/// are left as they are.
fn stem(word: &mut String) {
    if word.len() < 4 || !word.bytes().all(|byte| byte.is_ascii_lowercase()) {
        return;
    }
    remove_plural(word);
    remove_feminine(word);
    remove_final_e(word);
}

/// `hopitaux` → `hopital`, `eaux` → `eau`, `jeux` → `jeu`, `transports` → `transport`.
/// `-ss` is not a plural (`stress`). `travaux` becomes `traval`: not `travail`, but the same for
/// the index and the query.
fn remove_plural(word: &mut String) {
    let au_plural = word.ends_with("eaux") || word.ends_with("yaux"); // bureaux, tuyaux
    if !au_plural && replace_suffix(word, "aux", "al") {
        return;
    }
    if word.ends_with("ux") || (word.ends_with('s') && !word.ends_with("ss")) {
        word.pop();
    }
}

/// Feminine endings whose masculine is not simply the word without its `e`.
const FEMININE_ENDINGS: &[(&str, &str)] = &[
    ("elle", "el"), // naturelle → naturel
    ("enne", "en"), // europeenne → europeen
    ("ive", "if"),  // active → actif
    ("euse", "eu"), // heureuse → heureu, as heureux after its plural x
    ("ique", "ic"), // publique → public
];

fn remove_feminine(word: &mut String) {
    for (feminine, masculine) in FEMININE_ENDINGS {
        if replace_suffix(word, feminine, masculine) {
            return;
        }
    }
}

/// Up to two final `e`, the folded `-e`, `-é` and `-ée`: `donnee` and `donne` → `donn`,
/// `regionale` → `regional`, `premiere` → `premier`. At least three letters stay.
fn remove_final_e(word: &mut String) {
    for _ in 0..2 {
        if word.len() > 3 && word.ends_with('e') {
            word.pop();
        }
    }
}

/// Replaces `suffix` with `replacement` when at least two letters precede it, so that `taux`
/// does not become `tal`.
fn replace_suffix(word: &mut String, suffix: &str, replacement: &str) -> bool {
    match word.strip_suffix(suffix).map(str::len) {
        Some(stem_len) if stem_len >= 2 => {
            word.truncate(stem_len);
            word.push_str(replacement);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{Field, IndexRecordOption, Schema, TEXT, TextFieldIndexing, Value};
    use tantivy::{IndexWriter, Searcher, TantivyDocument, Term, doc};

    use super::*;

    fn single_term(text: &str) -> String {
        let terms = french_terms(text);
        assert_eq!(terms.len(), 1, "{text:?} gave {terms:?}");
        terms.into_iter().next().expect("one term, just checked")
    }

    fn assert_same_term(words: &[&str]) {
        let expected = single_term(words[0]);
        for word in &words[1..] {
            assert_eq!(single_term(word), expected, "{word:?} vs {:?}", words[0]);
        }
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        assert_same_term(&["égalité", "egalite", "Égalités", "EGALITE"]);
        assert_same_term(&["œuvre", "oeuvre", "Œuvres"]);
    }

    #[test]
    fn participles_feminine_and_plural_share_a_term() {
        assert_same_term(&["données", "donnée", "donnee", "DONNEES", "donné", "donnés"]);
    }

    #[test]
    fn elided_articles_are_stripped_with_either_apostrophe() {
        let eau = french_terms("eau");
        assert_eq!(french_terms("l'eau"), eau);
        assert_eq!(french_terms("d’eau"), eau);
        assert_eq!(french_terms("L’EAU"), eau);
        assert_eq!(french_terms("jusqu'à l'eau"), eau);
        assert_eq!(french_terms("qu'il"), Vec::<String>::new());
        assert_eq!(french_terms("qu'une eau"), eau);
    }

    #[test]
    fn a_word_keeping_its_apostrophe_is_one_term_in_either_spelling() {
        assert_eq!(french_terms("aujourd'hui"), ["aujourd'hui"]);
        assert_eq!(french_terms("aujourd’hui"), ["aujourd'hui"]);
        assert_eq!(french_terms("l' eau '"), french_terms("eau"));
    }

    #[test]
    fn plurals_share_the_singular_term() {
        assert_same_term(&["transports", "transport"]);
        assert_same_term(&["régionaux", "regional", "régionale", "régionales"]);
        assert_same_term(&["hôpitaux", "hopital"]);
        assert_same_term(&["eaux", "eau"]);
        assert_same_term(&["bureaux", "bureau"]);
        assert_same_term(&["jeux", "jeu"]);
        assert_eq!(single_term("stress"), "stress");
    }

    #[test]
    fn feminine_forms_share_the_masculine_term() {
        assert_same_term(&["naturelles", "naturel"]);
        assert_same_term(&["européennes", "européen"]);
        assert_same_term(&["actives", "actif"]);
        assert_same_term(&["heureuse", "heureux"]);
        assert_same_term(&["publiques", "public"]);
        assert_same_term(&["première", "premier"]);
    }

    #[test]
    fn derivation_is_left_alone() {
        assert_ne!(single_term("information"), single_term("informatique"));
        assert_ne!(single_term("données"), single_term("don"));
        assert_same_term(&["logements", "logement"]);
        assert_eq!(single_term("gouvernement"), "gouvernement");
        assert_eq!(single_term("population"), "population");
    }

    #[test]
    fn short_stems_are_not_cut() {
        assert_eq!(single_term("taux"), "tau");
        assert_eq!(single_term("ans"), "ans");
        assert_eq!(single_term("idées"), "ide");
    }

    #[test]
    fn stop_words_vanish() {
        assert_eq!(
            french_terms("les données de la région"),
            french_terms("donnée région")
        );
        assert_eq!(french_terms("à a où ou"), Vec::<String>::new());
    }

    #[test]
    fn digits_survive() {
        assert_eq!(
            french_terms("budget 2024"),
            [single_term("budget"), "2024".into()]
        );
        assert_eq!(single_term("covid19"), "covid19");
    }

    #[test]
    fn tokens_longer_than_40_characters_are_dropped() {
        let forty = "a".repeat(40);
        assert_eq!(french_terms(&forty), [forty.as_str()]);
        let forty_one = "b".repeat(41);
        assert_eq!(
            french_terms(&format!("{forty_one} eau")),
            french_terms("eau")
        );
        assert_eq!(folded_terms(&forty_one), Vec::<String>::new());
    }

    #[test]
    fn tokens_point_at_their_source_text() {
        let text = "L’eau, d'été";
        let mut tokenizer = WordTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut words = Vec::new();
        stream.process(&mut |token| {
            words.push((token.position, &text[token.offset_from..token.offset_to]))
        });
        assert_eq!(words, [(0, "L’eau"), (1, "d'été")]);
    }

    #[test]
    fn folded_terms_keep_every_word_unstemmed() {
        assert_eq!(
            folded_terms("Les Hôpitaux d’Île-de-France"),
            ["les", "hopitaux", "d", "ile", "de", "france"]
        );
    }

    fn matching_titles(
        searcher: &Searcher,
        title: Field,
        term: &str,
    ) -> tantivy::Result<Vec<String>> {
        let query = TermQuery::new(Term::from_field_text(title, term), IndexRecordOption::Basic);
        let hits = searcher.search(&query, &TopDocs::with_limit(10).order_by_score())?;
        hits.into_iter()
            .map(|(_, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                let text = doc.get_first(title).and_then(|value| value.as_str());
                Ok(text.unwrap_or_default().to_owned())
            })
            .collect()
    }

    #[test]
    fn registered_french_analyzer_indexes_and_finds_documents() -> tantivy::Result<()> {
        let mut schema = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(FRENCH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let title =
            schema.add_text_field("title", TEXT.set_indexing_options(indexing).set_stored());
        let index = Index::create_in_ram(schema.build());
        register(&index);

        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        writer.add_document(doc!(title => "Qualité de l'eau potable"))?;
        writer.add_document(doc!(title => "Les données des transports régionaux"))?;
        writer.commit()?;
        let searcher = index.reader()?.searcher();

        let eau = &french_terms("eaux")[0];
        assert_eq!(
            matching_titles(&searcher, title, eau)?,
            ["Qualité de l'eau potable"]
        );
        let transport = &french_terms("transport")[0];
        assert_eq!(
            matching_titles(&searcher, title, transport)?,
            ["Les données des transports régionaux"]
        );
        Ok(())
    }
}
