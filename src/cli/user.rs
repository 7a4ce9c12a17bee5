//! `plateau user create | api-key`.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::api::refs::UserJson;
use crate::api::state::AppState;
use crate::config::{HttpSettings, ServeArgs, StorageArgs, load_secret};
use crate::domain::secrets::{generate_api_key, hash_password};
use crate::domain::user::{User, UserInput};
use crate::domain::{ids, time};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and print it as JSON (the shape of GET /api/1/users/{id}/).
    Create(CreateArgs),
    /// Create a fresh API key for a user (replacing any previous one) and print only the key.
    ApiKey(ApiKeyArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    storage: StorageArgs,
    #[arg(long)]
    email: String,
    #[arg(long)]
    first_name: String,
    #[arg(long)]
    last_name: String,
    /// Password for web login (at least 8 characters); without it the user authenticates by API key only.
    #[arg(long)]
    password: Option<String>,
    /// Make the user a sysadmin.
    #[arg(long)]
    admin: bool,
    /// Public base URL, for the `uri` and `page` fields printed.
    #[arg(
        long,
        env = "PLATEAU_BASE_URL",
        default_value = "http://127.0.0.1:7000"
    )]
    base_url: String,
}

#[derive(Debug, Args)]
pub struct ApiKeyArgs {
    #[command(flatten)]
    storage: StorageArgs,
    #[arg(long)]
    email: String,
}

async fn open(storage: &StorageArgs) -> anyhow::Result<Store> {
    Store::open(&storage.data_dir, storage.database_url.as_deref())
        .await
        .context("cannot open the store (check --data-dir / --database-url)")
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create(args) => {
            let input = UserInput {
                first_name: Some(args.first_name.clone()),
                last_name: Some(args.last_name.clone()),
                email: Some(args.email.clone()),
                password: args.password.clone(),
                ..Default::default()
            };
            if let Err(errors) = input.validate(true) {
                let details: Vec<String> = errors
                    .0
                    .iter()
                    .map(|(field, messages)| {
                        format!("--{}: {}", field.replace('_', "-"), messages.join(" "))
                    })
                    .collect();
                bail!("invalid user: {}", details.join("; "));
            }
            let store = open(&args.storage).await?;
            if store.user_by_email(&args.email).await?.is_some() {
                bail!("a user with email {} already exists", args.email);
            }
            let now = time::now();
            let user = User {
                id: ids::object_id(),
                slug: String::new(),
                email: args.email.trim().to_owned(),
                first_name: args.first_name.trim().to_owned(),
                last_name: args.last_name.trim().to_owned(),
                about: None,
                website: None,
                avatar: None,
                avatar_thumbnail: None,
                roles: if args.admin {
                    vec!["admin".into()]
                } else {
                    vec![]
                },
                active: true,
                since: now,
                last_login_at: None,
                deleted: None,
                followers: 0,
            };
            let password_hash = match args.password.clone() {
                Some(p) => Some(tokio::task::spawn_blocking(move || hash_password(&p)).await?),
                None => None,
            };
            let user = store.create_user(user, password_hash).await?;
            let serve_args = ServeArgs {
                storage: args.storage.clone(),
                listen: "127.0.0.1:7000".into(),
                base_url: Some(args.base_url.clone()),
                read_only: false,
                rate_limit: 0,
                rate_limit_window: 1,
                max_page_size: 1,
                max_upload_size: 1,
                schema_catalog_url: None,
                allow_private_fetch: false,
                fetch_timeout: 30,
                demo: false,
                dataset_cache_size: 0,
                metrics_listen: None,
                organization_cache_size: 0,
            };
            let secret = load_secret(&args.storage)?;
            let app = AppState::new(store, HttpSettings::from_args(&serve_args), secret, None);
            let json = UserJson::new(&app, &user, &[], true);
            println!("{}", serde_json::to_string_pretty(&json)?);
            Ok(())
        }
        UserCommand::ApiKey(args) => {
            let store = open(&args.storage).await?;
            let secret = load_secret(&args.storage)?;
            let Some(user) = store.user_by_email(&args.email).await? else {
                bail!(
                    "no user with email {} (create one with `plateau user create`)",
                    args.email
                );
            };
            if user.deleted.is_some() || !user.active {
                bail!("user {} is deleted or inactive", args.email);
            }
            let key = generate_api_key();
            store
                .set_apikey_hash(&user.id, Some(secret.hash_api_key(&key)), time::now())
                .await?;
            println!("{key}");
            Ok(())
        }
    }
}
