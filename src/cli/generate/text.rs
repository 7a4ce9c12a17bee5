//! French text for generated objects: dataset titles, description sentences, organization
//! names, acronyms. Words are drawn by Zipf rank from the lists of `words.rs`.

use super::random::{Rng, Zipf};
use super::words::{
    ASSOCIATIONS, COMMUNE_ENDINGS, COMMUNE_STEMS, DEPARTMENTS, DOMAINS, HEADS, LOCAL_AUTHORITIES,
    PLACES, PUBLIC_BODIES, QUALIFIERS, REGIONS, SECTORS, TAGS, TOPICS,
};
use crate::domain::slug;

/// How many topics lend their slug to the tag vocabulary (after [`TAGS`]).
const TOPIC_TAGS: usize = 150;

/// The Zipf tables of the word lists, built once per run.
pub struct Vocabulary {
    heads: Zipf,
    topics: Zipf,
    qualifiers: Zipf,
    places: Zipf,
    communes: Zipf,
    tags: Vec<String>,
    tag_ranks: Zipf,
}

impl Default for Vocabulary {
    fn default() -> Self {
        let mut tags: Vec<String> = TAGS.iter().map(|t| (*t).to_owned()).collect();
        for topic in &TOPICS[..TOPIC_TAGS] {
            let tag = slug::slugify(topic);
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        Vocabulary {
            heads: Zipf::new(HEADS.len(), 0.9),
            topics: Zipf::new(TOPICS.len(), 1.0),
            qualifiers: Zipf::new(QUALIFIERS.len(), 0.8),
            places: Zipf::new(PLACES.len(), 0.8),
            communes: Zipf::new(COMMUNE_STEMS.len(), 0.7),
            tag_ranks: Zipf::new(tags.len(), 1.0),
            tags,
        }
    }
}

/// `topic` after « de »: « des écoles », « de l'eau », « de budget ».
pub fn of(topic: &str) -> String {
    if topic.ends_with('s') || topic.ends_with('x') {
        format!("des {topic}")
    } else if topic.starts_with([
        'a', 'e', 'i', 'o', 'u', 'y', 'h', 'é', 'è', 'ê', 'â', 'î', 'ô',
    ]) {
        format!("de l'{topic}")
    } else {
        format!("de {topic}")
    }
}

/// A qualifier (masculine singular in the list) made plural after a plural topic.
fn agree(qualifier: &str, topic: &str) -> String {
    let plural = topic.ends_with('s') || topic.ends_with('x');
    if !plural || qualifier.ends_with('s') || qualifier.ends_with('x') {
        qualifier.to_owned()
    } else if let Some(stem) = qualifier.strip_suffix("al") {
        format!("{stem}aux")
    } else {
        format!("{qualifier}s")
    }
}

fn words(text: &str) -> usize {
    text.split_whitespace().filter(|w| *w != "–").count()
}

impl Vocabulary {
    pub fn topic(&self, rng: &mut Rng) -> &'static str {
        TOPICS[self.topics.sample(rng)]
    }

    pub fn qualifier(&self, rng: &mut Rng) -> &'static str {
        QUALIFIERS[self.qualifiers.sample(rng)]
    }

    pub fn place(&self, rng: &mut Rng) -> &'static str {
        PLACES[self.places.sample(rng)]
    }

    /// A plausible commune: a real-looking stem and ending (a thousand combinations).
    pub fn commune(&self, rng: &mut Rng) -> String {
        let stem = self.communes.pick(rng, COMMUNE_STEMS);
        let ending = rng.pick(COMMUNE_ENDINGS);
        format!("{stem}{ending}")
    }

    /// A dataset title of 3 to 8 words: « Qualité de l'eau potable – Bretagne 2021 ». Parts
    /// are drawn until the title has its length, then written in their usual order.
    pub fn title(&self, rng: &mut Rng) -> String {
        let target = *rng.weighted(&[(3, 15), (4, 25), (5, 25), (6, 17), (7, 10), (8, 8)]);
        let head = *self.heads.pick(rng, HEADS);
        let topic = self.topic(rng);
        let mut length = 1 + words(&of(topic));
        let (mut qualifier, mut second_topic, mut place, mut year) = (None, None, None, None);
        while length < target {
            let room = target - length;
            match rng.below(4) {
                0 if qualifier.is_none() => {
                    qualifier = Some(agree(self.qualifier(rng), topic));
                    length += 1;
                }
                1 if second_topic.is_none() && room >= 3 => {
                    let other = of(self.topic(rng));
                    length += 1 + words(&other);
                    second_topic = Some(other);
                }
                2 if place.is_none() => {
                    let name = self.place(rng);
                    if words(name) <= room {
                        length += words(name);
                        place = Some(name);
                    }
                }
                _ if year.is_none() => {
                    let first = rng.between(2010, 2027);
                    year = Some(if rng.chance(0.2) {
                        format!("{first}-{}", first + 1)
                    } else {
                        first.to_string()
                    });
                    length += 1;
                }
                _ => {}
            }
            if qualifier.is_some() && year.is_some() && (place.is_some() || room < 2) {
                break;
            }
        }
        let mut title = format!("{head} {}", of(topic));
        for part in [qualifier, second_topic.map(|t| format!("et {t}"))]
            .into_iter()
            .flatten()
        {
            title.push(' ');
            title.push_str(&part);
        }
        if let Some(place) = place {
            title.push_str(" – ");
            title.push_str(place);
        }
        if let Some(year) = year {
            title.push(' ');
            title.push_str(&year);
        }
        title
    }

    /// One sentence of a description.
    pub fn sentence(&self, rng: &mut Rng) -> String {
        match rng.below(10) {
            0 => format!(
                "Ce jeu de données recense les données {} {} sur le territoire {}.",
                of(self.topic(rng)),
                self.qualifier(rng),
                of_place(self.place(rng))
            ),
            1 => format!(
                "Les données sont produites par le service {} et mises à jour {}.",
                self.qualifier(rng),
                rng.pick(&[
                    "chaque année",
                    "chaque mois",
                    "chaque semaine",
                    "quotidiennement",
                    "en continu",
                    "de manière irrégulière",
                ])
            ),
            2 => format!(
                "Chaque enregistrement précise {}, {} et {}.",
                self.topic(rng),
                self.topic(rng),
                self.topic(rng)
            ),
            3 => {
                let from = rng.between(1990, 2020);
                format!(
                    "La période couverte s'étend de {from} à {}.",
                    from + rng.between(1, 8)
                )
            }
            4 => format!(
                "Les fichiers sont disponibles aux formats {} et {}.",
                rng.pick(&["CSV", "JSON", "GeoJSON", "XLSX", "Parquet"]),
                rng.pick(&["PDF", "ODS", "Shapefile", "XML", "ZIP"])
            ),
            5 => format!(
                "Ces informations permettent de suivre l'évolution {} {}.",
                of(self.topic(rng)),
                self.qualifier(rng)
            ),
            6 => format!(
                "Pour en savoir plus sur la question {}, consultez la documentation jointe.",
                of(self.topic(rng))
            ),
            7 => format!(
                "Certaines valeurs {} peuvent être incomplètes avant {}.",
                of(self.topic(rng)),
                rng.between(2000, 2022)
            ),
            8 => format!(
                "Les indicateurs sont calculés à partir {} et {}.",
                of(self.topic(rng)),
                of(self.topic(rng))
            ),
            _ => format!(
                "Ils complètent les données {} publiées {}.",
                of(self.topic(rng)),
                rng.pick(&[
                    "l'an dernier",
                    "précédemment",
                    "par l'Insee",
                    "par la région"
                ])
            ),
        }
    }

    /// 2 to 6 sentences, in two paragraphs when there are more than three.
    pub fn description(&self, rng: &mut Rng) -> String {
        let count = rng.between(2, 7);
        let mut text = String::with_capacity(90 * count as usize);
        for i in 0..count {
            if i > 0 {
                text.push_str(if i == 3 { "\n\n" } else { " " });
            }
            text.push_str(&self.sentence(rng));
        }
        text
    }

    /// 0 to 6 distinct tags.
    pub fn tags(&self, rng: &mut Rng) -> Vec<String> {
        let count = *rng.weighted(&[(0, 15), (1, 15), (2, 20), (3, 20), (4, 15), (5, 8), (6, 7)]);
        let mut tags: Vec<String> = Vec::with_capacity(count);
        for _ in 0..count * 2 {
            if tags.len() == count {
                break;
            }
            let tag = self.tag_ranks.pick(rng, &self.tags);
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        tags
    }

    /// A public body: « Agence nationale de l'Eau », « Direction régionale de la Culture –
    /// Bretagne ».
    pub fn public_body(&self, rng: &mut Rng) -> String {
        let body = rng.pick(PUBLIC_BODIES);
        let domain = rng.pick(DOMAINS);
        match *body {
            "Direction régionale" => format!("{body} {domain} – {}", rng.pick(REGIONS)),
            "Direction départementale" => {
                format!("{body} {domain} {}", rng.pick(DEPARTMENTS))
            }
            _ => format!("{body} {domain}"),
        }
    }

    /// A local authority: « Ville de Saint-Martin-sur-Loire », « Département de l'Ain ».
    pub fn local_authority(&self, rng: &mut Rng) -> String {
        match rng.below(10) {
            0 => format!("Région {}", rng.pick(REGIONS)),
            1 => format!("Département {}", rng.pick(DEPARTMENTS)),
            _ => format!("{} {}", rng.pick(LOCAL_AUTHORITIES), self.commune(rng)),
        }
    }

    /// A company: « Transports de Villeneuve-sur-Mer », « Garnier Énergie ».
    pub fn company(&self, rng: &mut Rng, family_name: &str) -> String {
        let sector = rng.pick(SECTORS);
        match rng.below(3) {
            0 => format!("{sector} de {}", self.commune(rng)),
            1 => format!("{family_name} {sector}"),
            _ => format!("Régie {} de {}", of(self.topic(rng)), self.commune(rng)),
        }
    }

    pub fn association(&self, rng: &mut Rng) -> String {
        format!("{} {}", rng.pick(ASSOCIATIONS), self.commune(rng))
    }
}

/// « de Bretagne », « d'Île-de-France ».
fn of_place(place: &str) -> String {
    if place.starts_with(['A', 'E', 'I', 'O', 'U', 'Î', 'É']) {
        format!("d'{place}")
    } else {
        format!("de {place}")
    }
}

/// The initials of a name's significant words, « ANE » for « Agence nationale de l'Eau »;
/// `None` when fewer than two.
pub fn acronym(name: &str) -> Option<String> {
    let initials: String = name
        .split([' ', '\'', '-'])
        .filter(|w| w.chars().count() > 3 || w.chars().next().is_some_and(char::is_uppercase))
        .filter_map(|w| w.chars().next())
        .map(|c| slug::fold(&c.to_string()).to_uppercase())
        .collect();
    (initials.len() >= 2).then(|| initials.chars().take(6).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_have_three_to_eight_words() {
        let vocabulary = Vocabulary::default();
        for index in 0..2_000 {
            let mut rng = Rng::for_object(1, 3, index);
            let title = vocabulary.title(&mut rng);
            assert!((3..=8).contains(&words(&title)), "{title}");
            assert!(!title.contains("  ") && !title.ends_with(' '), "{title}");
        }
    }

    #[test]
    fn articles_follow_the_word() {
        assert_eq!(of("écoles"), "des écoles");
        assert_eq!(of("eau"), "de l'eau");
        assert_eq!(of("budget"), "de budget");
        assert_eq!(agree("régional", "transports"), "régionaux");
        assert_eq!(agree("urbain", "écoles"), "urbains");
        assert_eq!(agree("urbain", "eau"), "urbain");
        assert_eq!(acronym("Agence nationale de l'Eau").as_deref(), Some("ANE"));
        assert_eq!(acronym("Eau"), None);
    }

    #[test]
    fn tags_are_distinct_slugs() {
        let vocabulary = Vocabulary::default();
        assert!((250..=400).contains(&vocabulary.tags.len()));
        for index in 0..500 {
            let tags = vocabulary.tags(&mut Rng::for_object(1, 3, index));
            let mut unique = tags.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), tags.len());
            assert!(tags.iter().all(|t| slug::slugify(t) == *t && t.len() >= 3));
        }
    }
}
