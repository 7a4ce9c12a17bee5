//! The generated OpenAPI document held against uData's own Swagger (the contract): every
//! contract operation delivered so far is present with its parameters, and every model we serve
//! has the contract's field names.

use std::collections::BTreeSet;

use serde_json::Value;

fn contract() -> Value {
    // A copy of ../shared/reference/udata-swagger.json (uData v14.13's generated Swagger).
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/contract/udata-swagger.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the contract is JSON")
}

fn ours() -> Value {
    let (_, spec) = plateau::api::api_routes().split_for_parts();
    serde_json::to_value(plateau::api::openapi::finish(spec)).expect("spec serializes")
}

/// The operations this build delivers, as `METHOD path` of the contract. Grows with each area.
fn delivered() -> BTreeSet<String> {
    plateau::api::delivered_operations()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn every_delivered_operation_is_in_our_spec_with_its_parameters() {
    let contract = contract();
    let ours = ours();
    for op in delivered() {
        let (method, path) = op.split_once(' ').unwrap();
        let method = method.to_lowercase();
        let theirs = &contract["paths"][path];
        assert!(
            theirs[&method].is_object(),
            "{op} is not a contract operation"
        );
        let mine = &ours["paths"][path][&method];
        assert!(mine.is_object(), "{op} is missing from /api/1/swagger.json");
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

#[test]
fn every_served_model_has_the_contract_field_names() {
    let contract = contract();
    let ours = ours();
    for (ours_name, contract_name) in plateau::api::delivered_models() {
        let theirs = contract_fields(&contract, contract_name);
        assert!(
            !theirs.is_empty(),
            "{contract_name} is not a contract definition"
        );
        let mine = our_fields(&ours, ours_name);
        assert!(!mine.is_empty(), "{ours_name} is not in our spec");
        let missing: Vec<_> = theirs.difference(&mine).collect();
        assert!(
            missing.is_empty(),
            "{ours_name}: fields {missing:?} of {contract_name} are missing"
        );
    }
}
