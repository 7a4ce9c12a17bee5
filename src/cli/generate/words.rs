//! The French vocabulary of generated catalogues. Each list is ordered from the most to the least
//! frequent: the generator draws from it with a Zipf law by rank, so a few words are everywhere
//! and most are rare, as in a real catalogue (what makes search benchmarks meaningful).

/// What a dataset title starts with.
#[rustfmt::skip]
pub const HEADS: &[&str] = &[
    "Liste", "Données", "Base", "Localisation", "Statistiques", "Répertoire", "Inventaire",
    "Résultats", "Nombre", "Carte", "Suivi", "Indicateurs", "Qualité", "Budget", "Recensement",
    "Fichier", "Annuaire", "Registre", "Observatoire", "Bilan", "Évolution", "Répartition",
    "Consommation", "Production", "Mesures", "Comptages", "Enquête", "Rapport", "Catalogue",
    "Relevés", "Emplacements", "Plan", "Programme", "Subventions", "Dépenses", "Effectifs",
    "Taux", "Montants", "Prix", "Horaires", "Tarifs", "Délibérations", "Marchés", "Permis",
    "Déclarations", "Prévisions", "Contrôles", "Points", "Zones", "Périmètres", "Référentiel",
    "Cartographie", "Diagnostic", "Schéma", "Atlas", "Chiffres", "Projections", "Sites",
];

/// What a dataset is about: the bulk of titles, descriptions and tags.
#[rustfmt::skip]
pub const TOPICS: &[&str] = &[
    "eau", "transports", "population", "élections", "budget", "énergie", "entreprises",
    "écoles", "santé", "logement", "emploi", "air", "commune", "déchets", "hôpitaux",
    "région", "département", "agriculture", "environnement", "stationnement", "accidents",
    "routes", "vélos", "équipements", "bâtiments", "urbanisme", "cadastre", "culture",
    "tourisme", "associations", "subventions", "électricité", "gaz", "naissances", "décès",
    "bruit", "pollution", "biodiversité", "forêts", "rivières", "inondations", "risques",
    "sport", "musées", "bibliothèques", "hébergements", "restaurants", "commerces", "impôts",
    "fiscalité", "finances", "dette", "salaires", "retraites", "chômage", "formation",
    "universités", "lycées", "collèges", "crèches", "étudiants", "enseignants", "médecins",
    "pharmacies", "vaccination", "mariages", "prénoms", "carburants", "recharge", "bornes",
    "autoroutes", "trains", "gares", "bus", "tramway", "métro", "aéroports", "ports", "trafic",
    "fréquentation", "voyageurs", "sécurité", "délinquance", "police", "pompiers", "justice",
    "prisons", "élus", "conseils", "scrutins", "candidats", "votes", "abstention", "météo",
    "climat", "températures", "précipitations", "sols", "sismicité", "littoral", "montagne",
    "agriculteurs", "élevage", "vins", "pêche", "alimentation", "cantines", "restauration",
    "parcs", "jardins", "arbres", "espaces", "voirie", "trottoirs", "ponts", "tunnels",
    "chantiers", "travaux", "permis", "construction", "copropriétés", "loyers", "ventes",
    "immobilier", "foncier", "parcelles", "communes", "intercommunalités", "quartiers",
    "adresses", "bureaux", "services", "démarches", "guichets", "usagers", "réclamations",
    "courriers", "archives", "patrimoine", "monuments", "églises", "châteaux", "fouilles",
    "spectacles", "cinémas", "théâtres", "festivals", "concerts", "piscines", "gymnases",
    "stades", "randonnées", "sentiers", "plages", "baignade", "lacs", "nappes", "captages",
    "assainissement", "canalisations", "réseaux", "fibre", "antennes", "téléphonie",
    "internet", "numérique", "logiciels", "données", "indicateurs", "statistiques",
    "recensement", "ménages", "familles", "enfants", "jeunes", "seniors", "handicap",
    "aides", "allocations", "minima", "pauvreté", "revenus", "inégalités", "consommation",
    "prix", "inflation", "commerce", "exportations", "importations", "industrie", "usines",
    "artisans", "agences", "emplois", "offres", "apprentissage", "stages", "diplômes",
    "examens", "baccalauréat", "cartes", "véhicules", "immatriculations", "brevets",
    "radars", "amendes", "contrôles", "circulation", "covoiturage", "autopartage",
    "trottinettes", "piétons", "cyclistes", "itinéraires", "lignes", "arrêts", "horaires",
    "tarifs", "abonnements", "billets", "péages", "carrefours", "feux", "éclairage",
    "propreté", "collecte", "recyclage", "compost", "encombrants", "déchetteries", "nuisances",
    "odeurs", "ozone", "particules", "pesticides", "nitrates", "qualité", "analyses",
    "prélèvements", "vérifications", "inspections", "sanctions", "marchés", "contrats",
    "achats", "fournisseurs", "factures", "délais", "paiements", "recettes", "dépenses",
    "investissements", "emprunts", "comptes", "bilans", "effectifs", "agents", "fonctionnaires",
    "rémunérations", "absentéisme", "égalité", "parité", "télétravail", "élèves", "classes",
    "cantine", "transport", "périscolaire", "vacances", "séjours", "colonies", "solidarité",
    "bénévolat", "dons", "fondations", "mécénat", "vélo", "marche", "énergies", "éolien",
    "solaire", "hydraulique", "nucléaire", "chauffage", "isolation", "rénovation",
    "diagnostics", "émissions", "carbone", "empreinte", "adaptation", "sécheresse", "canicule",
    "incendies", "tempêtes", "séismes", "avalanches", "crues", "submersion", "érosion",
];

/// What qualifies a topic in a title, in the masculine singular.
#[rustfmt::skip]
pub const QUALIFIERS: &[&str] = &[
    "public", "municipal", "régional", "départemental", "national", "annuel", "communal",
    "potable", "urbain", "mensuel", "scolaire", "routier", "électoral", "quotidien", "rural",
    "ferroviaire", "sanitaire", "hospitalier", "électrique", "renouvelable", "agricole",
    "touristique", "culturel", "sportif", "social", "économique", "fiscal", "budgétaire",
    "démographique", "géographique", "historique", "provisoire", "consolidé", "détaillé",
    "agrégé", "géolocalisé", "territorial", "intercommunal", "métropolitain", "forestier",
    "industriel", "résidentiel", "collectif", "individuel", "accessible", "prioritaire",
    "protégé", "classé", "moyen", "total", "brut", "net", "définitif", "trimestriel",
    "hebdomadaire", "horaire", "numérique", "ouvert", "partagé", "durable", "locatif",
    "immobilier", "maritime", "fluvial", "aérien", "piéton", "cyclable", "nocturne",
];

/// Regions, departments and cities that titles mention.
#[rustfmt::skip]
pub const PLACES: &[&str] = &[
    "France", "Île-de-France", "Paris", "Bretagne", "Occitanie", "Nouvelle-Aquitaine",
    "Auvergne-Rhône-Alpes", "Lyon", "Marseille", "Hauts-de-France", "Grand Est", "Normandie",
    "Toulouse", "Bordeaux", "Nantes", "Provence-Alpes-Côte d'Azur", "Pays de la Loire",
    "Lille", "Strasbourg", "Montpellier", "Rennes", "Nice", "Bourgogne-Franche-Comté",
    "Centre-Val de Loire", "Corse", "Grenoble", "Dijon", "Angers", "Nîmes", "Reims",
    "Le Havre", "Saint-Étienne", "Toulon", "Brest", "Clermont-Ferrand", "Limoges", "Tours",
    "Amiens", "Metz", "Besançon", "Perpignan", "Orléans", "Rouen", "Mulhouse", "Caen",
    "Nancy", "Argenteuil", "Montreuil", "Roubaix", "Avignon", "Poitiers", "Pau", "La Rochelle",
    "Gironde", "Nord", "Bouches-du-Rhône", "Rhône", "Hérault", "Haute-Garonne", "Finistère",
    "Loire-Atlantique", "Bas-Rhin", "Isère", "Seine-Saint-Denis", "Val-de-Marne", "Essonne",
    "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte", "Ardèche", "Lozère",
    "Creuse", "Savoie", "Haute-Savoie", "Vendée", "Morbihan", "Côtes-d'Armor", "Ain",
    "Aveyron", "Cantal", "Dordogne", "Landes", "Gers", "Jura", "Vosges", "Ariège", "Orne",
];

/// Regions, for regional bodies' names.
#[rustfmt::skip]
pub const REGIONS: &[&str] = &[
    "Île-de-France", "Bretagne", "Occitanie", "Nouvelle-Aquitaine", "Auvergne-Rhône-Alpes",
    "Hauts-de-France", "Grand Est", "Normandie", "Provence-Alpes-Côte d'Azur",
    "Pays de la Loire", "Bourgogne-Franche-Comté", "Centre-Val de Loire", "Corse",
    "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte",
];

/// Departments with the article their names take after « de ».
#[rustfmt::skip]
pub const DEPARTMENTS: &[&str] = &[
    "de la Gironde", "du Nord", "des Bouches-du-Rhône", "du Rhône", "de l'Hérault",
    "de la Haute-Garonne", "du Finistère", "de la Loire-Atlantique", "du Bas-Rhin",
    "de l'Isère", "de la Seine-Saint-Denis", "du Val-de-Marne", "de l'Essonne",
    "de l'Ardèche", "de la Lozère", "de la Creuse", "de la Savoie", "de la Haute-Savoie",
    "de la Vendée", "du Morbihan", "des Côtes-d'Armor", "de l'Ain", "de l'Aveyron",
    "du Cantal", "de la Dordogne", "des Landes", "du Gers", "du Jura", "des Vosges",
    "de l'Ariège", "de l'Orne", "du Calvados", "de la Manche", "de l'Yonne", "du Doubs",
    "de la Marne", "de la Somme", "de l'Oise", "du Var", "des Hautes-Alpes", "du Tarn",
    "de la Corrèze", "du Loiret", "de l'Eure", "de la Mayenne", "de la Sarthe",
    "des Pyrénées-Atlantiques", "de la Meuse", "du Lot", "de l'Indre",
];

/// First parts of commune names; with [`COMMUNE_ENDINGS`], a thousand plausible communes.
#[rustfmt::skip]
pub const COMMUNE_STEMS: &[&str] = &[
    "Saint-Martin", "Villeneuve", "Saint-Jean", "Montigny", "Beaumont", "Saint-Pierre",
    "Fontaine", "Neuville", "Sainte-Marie", "Bourg", "Châteauneuf", "La Roche", "Mont",
    "Le Val", "Le Plessis", "Bois", "Champagne", "Pont", "Port", "Belleville", "Aubigny",
    "Chaumont", "Rochefort", "Villers", "Marcilly", "Savigny", "Lussac", "Mauriac",
    "Vernon", "Épinay", "Écouen", "Saint-Rémy", "Sainte-Foy", "Noisy", "Choisy", "Ivry",
    "Vitry", "Bourg-la-Reine", "Montreuil", "Brie",
];

/// Last parts of commune names (empty: the stem alone).
#[rustfmt::skip]
pub const COMMUNE_ENDINGS: &[&str] = &[
    "", "-sur-Loire", "-sur-Mer", "-sur-Seine", "-les-Bains", "-en-Vexin", "-la-Forêt",
    "-le-Château", "-du-Lac", "-sur-Marne", "-en-Bresse", "-sous-Bois", "-en-Provence",
    "-sur-Rhône", "-le-Vieux", "-la-Rivière", "-des-Prés", "-aux-Bois", "-en-Argonne",
    "-sur-Garonne", "-l'Abbaye", "-lès-Tours", "-sur-Oise", "-le-Roi", "-la-Montagne",
];

/// Fields of public action with their article, for public bodies' names.
#[rustfmt::skip]
pub const DOMAINS: &[&str] = &[
    "de la Santé", "de l'Agriculture", "de la Culture", "de l'Éducation nationale",
    "de la Transition écologique", "de l'Intérieur", "de l'Économie", "de la Justice",
    "des Armées", "du Travail", "des Sports", "du Logement", "de l'Énergie", "des Transports",
    "de l'Eau", "de la Mer", "de la Recherche", "de l'Enseignement supérieur",
    "des Solidarités", "de la Cohésion des territoires", "du Numérique", "des Forêts",
    "de la Biodiversité", "de la Statistique", "de l'Information géographique",
    "de la Sécurité routière", "de l'Environnement", "du Tourisme", "des Finances publiques",
    "de l'Alimentation",
];

/// Public bodies' names, before a domain.
#[rustfmt::skip]
pub const PUBLIC_BODIES: &[&str] = &[
    "Ministère", "Agence nationale", "Institut national", "Direction régionale",
    "Observatoire", "Office français", "Service statistique", "Centre d'études",
    "Conseil supérieur", "Haut conseil", "Direction départementale", "Délégation interministérielle",
];

/// Local authorities' names, before a commune.
#[rustfmt::skip]
pub const LOCAL_AUTHORITIES: &[&str] = &[
    "Ville de", "Commune de", "Communauté de communes de", "Communauté d'agglomération de",
    "Métropole de", "Syndicat intercommunal des eaux de", "Syndicat mixte de transports de",
    "Centre communal d'action sociale de",
];

/// Companies' sector words, after a commune or a family name.
#[rustfmt::skip]
pub const SECTORS: &[&str] = &[
    "Énergie", "Mobilités", "Transports", "Eau", "Environnement", "Habitat", "Réseaux",
    "Ingénierie", "Conseil", "Services", "Distribution", "Aménagement", "Télécom", "Logistique",
];

/// Associations' name openings.
#[rustfmt::skip]
pub const ASSOCIATIONS: &[&str] = &[
    "Association des amis de", "Collectif citoyen de", "Fédération des usagers de",
    "Les Amis du patrimoine de", "Association pour la qualité de vie à", "Réseau solidaire de",
    "Comité des fêtes de", "Club cyclotouriste de",
];

/// Given names of users, most common first.
#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "Camille", "Léa", "Lucas", "Manon", "Hugo", "Chloé", "Louis", "Inès", "Gabriel", "Jade",
    "Raphaël", "Louise", "Arthur", "Emma", "Jules", "Zoé", "Nathan", "Hélène", "Théo",
    "Élodie", "Sébastien", "Amélie", "Jérôme", "Cécile", "Stéphane", "Agnès", "Frédéric",
    "Gaëlle", "Hervé", "Noémie", "Rémi", "Maëlys", "Benoît", "Anaïs", "François", "Bérénice",
    "Thierry", "Clément", "Loïc", "Dominique", "Claude", "Yves", "René", "André", "Joël",
    "Noël", "Aurélien", "Éric", "Émile", "Solène", "Mathéo", "Océane", "Grégoire", "Margaux",
];

/// Family names of users, most common first.
#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Roche", "Noël",
    "Meyer", "Meunier", "Pérez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun",
    "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Renard", "Arnaud", "Caron", "Aubert",
    "Giraud", "Leclerc", "Vidal", "Bourgeois", "Lemoine", "Picard", "Gaillard", "Lacroix",
    "Fabre", "Hubert", "Rivière", "Le Gall", "Ménard", "Prévost", "Carré", "Rémy", "Barré",
];

/// Tags, in slug form. The tag vocabulary is these, then the slugs of the most frequent topics.
#[rustfmt::skip]
pub const TAGS: &[&str] = &[
    "open-data", "donnees-ouvertes", "transport", "environnement", "finances-publiques",
    "covid-19", "geolocalisation", "statistiques", "collectivites", "elections-municipales",
    "eau-potable", "qualite-de-l-air", "mobilite", "mobilite-douce", "budget-primitif",
    "compte-administratif", "marches-publics", "subventions-associations", "gtfs",
    "temps-reel", "urbanisme", "plu", "cadastre", "adresse", "base-adresse-nationale",
    "referentiel", "inspire", "hvd", "sirene", "insee", "recensement-population",
    "energie-renouvelable", "consommation-electrique", "bornes-de-recharge", "irve",
    "velo-en-libre-service", "stationnement-velo", "amenagements-cyclables",
    "transport-scolaire", "accidents-de-la-route", "securite-routiere", "comptage-routier",
    "qualite-de-l-eau", "assainissement", "dechets-menagers", "tri-selectif", "biodiversite",
    "espaces-verts", "arbres-remarquables", "patrimoine", "monuments-historiques", "culture",
    "bibliotheques", "musees", "equipements-sportifs", "sante-publique", "etablissements-de-sante",
    "pharmacies", "education", "etablissements-scolaires", "resultats-aux-examens", "emploi",
    "offres-d-emploi", "entreprises", "commerce", "tourisme", "hebergement-touristique",
    "agriculture", "bio", "circuits-courts", "logement-social", "loyers", "immobilier",
    "dvf", "foncier", "risques-naturels", "inondation", "plan-de-prevention", "climat",
    "meteo", "observations", "elus", "deliberations", "conseil-municipal", "budget-participatif",
    "democratie", "citoyennete", "associations", "solidarite", "handicap", "accessibilite",
    "seniors", "petite-enfance", "creches", "jeunesse", "numerique", "wifi-public", "fibre-optique",
    "reseaux", "eclairage-public", "voirie", "travaux", "chantiers", "nuisances-sonores",
    "bruit", "pollution", "ozone", "particules-fines", "pesticides", "nitrates", "rivieres",
    "littoral", "montagne", "foret", "chasse", "peche", "vins", "alimentation",
    "restauration-scolaire", "cantine", "prix-des-carburants", "fiscalite-locale",
    "taxe-fonciere", "dette-publique", "investissements", "achats-publics", "decp", "scdl",
    "schema-de-donnees", "api", "cartographie", "sig", "geojson", "shapefile", "orthophotos",
    "lidar", "photographies-aeriennes", "archives", "etat-civil", "naissances", "prenoms",
    "deces", "mariages", "population-legale", "demographie", "migrations", "revenus",
    "pauvrete", "inegalites", "indicateurs-territoriaux", "tableau-de-bord", "observatoire",
    "enquete", "sondage", "barometre", "satisfaction-usagers", "services-publics",
    "france-services", "demarches-en-ligne", "horaires-d-ouverture", "annuaire",
    "lieux-publics", "toilettes-publiques", "fontaines", "baignade", "plages", "piscines",
    "randonnee", "sentiers", "cyclotourisme", "evenements", "agenda", "festivals",
    "spectacle-vivant", "cinema", "lecture-publique", "sport", "clubs-sportifs", "licences-sportives",
];
