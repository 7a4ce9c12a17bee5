//! The generated OpenAPI documents held against uData's own Swagger (the contract): every
//! contract operation delivered so far is present with its parameters, and every model we serve
//! has the contract's field names. `/api/2/` is checked the other way round: every operation of
//! its document must be a contract operation, so registering a route is all a new one needs.

use std::collections::BTreeSet;

use plateau::api::openapi::{self, ApiVersion};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;

/// A copy of ../shared/reference/`file` (uData v14.13's generated Swagger).
fn contract(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/contract")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the contract is JSON")
}

fn spec_of(version: &ApiVersion, routes: OpenApiRouter<plateau::api::state::AppState>) -> Value {
    let (_, spec) = routes.split_for_parts();
    serde_json::to_value(openapi::finish(version, spec)).expect("spec serializes")
}

fn ours() -> Value {
    spec_of(&openapi::V1, plateau::api::api_routes())
}

fn ours_v2() -> Value {
    spec_of(&openapi::V2, plateau::api::api2_routes())
}

/// The operations this build delivers, as `METHOD path` of the contract. Grows with each area.
fn delivered() -> BTreeSet<String> {
    plateau::api::delivered_operations()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// `METHOD path` of every operation of an OpenAPI document.
fn operations_of(spec: &Value) -> BTreeSet<String> {
    let mut operations = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            operations.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations
}

/// Panics unless `op` is a contract operation and ours has every query and path parameter of
/// the contract's.
fn assert_operation_matches(contract: &Value, ours: &Value, op: &str, served_at: &str) {
    let (method, path) = op.split_once(' ').unwrap();
    let method = method.to_lowercase();
    let theirs = &contract["paths"][path];
    assert!(
        theirs[&method].is_object(),
        "{op} is not a contract operation"
    );
    let mine = &ours["paths"][path][&method];
    assert!(mine.is_object(), "{op} is missing from {served_at}");
    let their_params: BTreeSet<String> = theirs[&method]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(theirs["parameters"].as_array().into_iter().flatten())
        .filter(|p| matches!(p["in"].as_str(), Some("query") | Some("path")))
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    let my_params: BTreeSet<String> = mine["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    let missing: Vec<_> = their_params.difference(&my_params).collect();
    assert!(
        missing.is_empty(),
        "{op}: parameters {missing:?} are missing"
    );
}

#[test]
fn every_delivered_operation_is_in_our_spec_with_its_parameters() {
    let contract = contract("udata-swagger.json");
    let ours = ours();
    for op in delivered() {
        assert_operation_matches(&contract, &ours, &op, "/api/1/swagger.json");
    }
}

#[test]
fn every_v2_operation_is_a_contract_operation_with_its_parameters() {
    let contract = contract("udata-swagger-v2.json");
    let ours = ours_v2();
    let operations = operations_of(&ours);
    assert!(
        operations.contains("GET /datasets/search/"),
        "{operations:?}"
    );
    for op in operations {
        assert_operation_matches(&contract, &ours, &op, "/api/2/swagger.json");
    }
}

/// Field names of a contract definition, following `allOf`.
fn contract_fields(contract: &Value, name: &str) -> BTreeSet<String> {
    let def = &contract["definitions"][name];
    let properties = |d: &Value| -> BTreeSet<String> {
        d["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    let mut fields = properties(def);
    for part in def["allOf"].as_array().into_iter().flatten() {
        match part["$ref"].as_str() {
            Some(reference) => fields.extend(contract_fields(
                contract,
                reference.trim_start_matches("#/definitions/"),
            )),
            None => fields.extend(properties(part)),
        }
    }
    fields
}

fn our_fields(ours: &Value, name: &str) -> BTreeSet<String> {
    let schema = &ours["components"]["schemas"][name];
    let mut fields = BTreeSet::new();
    if let Some(props) = schema["properties"].as_object() {
        fields.extend(props.keys().cloned());
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        if let Some(reference) = part["$ref"].as_str() {
            fields.extend(our_fields(
                ours,
                reference.trim_start_matches("#/components/schemas/"),
            ));
        } else if let Some(props) = part["properties"].as_object() {
            fields.extend(props.keys().cloned());
        }
    }
    fields
}

/// Panics unless our model has every field of the contract's definition.
fn assert_model_matches(contract: &Value, ours: &Value, ours_name: &str, contract_name: &str) {
    let theirs = contract_fields(contract, contract_name);
    assert!(
        !theirs.is_empty(),
        "{contract_name} is not a contract definition"
    );
    let mine = our_fields(ours, ours_name);
    assert!(!mine.is_empty(), "{ours_name} is not in our spec");
    let missing: Vec<_> = theirs.difference(&mine).collect();
    assert!(
        missing.is_empty(),
        "{ours_name}: fields {missing:?} of {contract_name} are missing"
    );
}

#[test]
fn every_served_model_has_the_contract_field_names() {
    let contract = contract("udata-swagger.json");
    let ours = ours();
    for (ours_name, contract_name) in plateau::api::delivered_models() {
        assert_model_matches(&contract, &ours, ours_name, contract_name);
    }
}

/// In `/api/2/` every model is named as the contract names it: each one the contract defines
/// must have its field names.
#[test]
fn every_v2_model_has_the_contract_field_names() {
    let contract = contract("udata-swagger-v2.json");
    let ours = ours_v2();
    let names: Vec<&String> = ours["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .filter(|name| contract["definitions"][name.as_str()].is_object())
        .collect();
    assert!(
        names.iter().any(|name| *name == "DatasetSearchPage"),
        "{names:?}"
    );
    for name in names {
        assert_model_matches(&contract, &ours, name, name);
    }
}
