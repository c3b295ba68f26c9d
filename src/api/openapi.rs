//! The OpenAPI document of the HTTP API, generated from the handlers' annotations and the serde
//! types of their answers, and served at `/api/openapi.json`. The answers that come from the
//! layers around the handlers (authentication, roles, the store check, extractors, the body
//! limit) are added here, to every operation those layers guard.

use axum::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};
use utoipa::{Modify, ToSchema};

use crate::fhir::kinds::Kind;
use crate::fhir::outcome::FHIR_JSON;
use crate::fhir::search::{MAX_COUNT, MAX_OFFSET};

/// The body of every refusal of the admin API.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What is wrong, in words.
    pub error: String,
}

/// A refused configuration file (`422`): every problem with file, line, field and reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigRefusal {
    /// Always `configuration refused`.
    pub error: String,
    /// The problems found.
    pub problems: Vec<ConfigProblem>,
}

/// One problem of a refused configuration file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigProblem {
    /// The file.
    pub file: String,
    /// 1-based line of the offending key or value, when it could be located.
    pub line: Option<usize>,
    /// Dotted path of the field; empty for the file itself.
    pub field: String,
    /// What is wrong.
    pub reason: String,
    /// The whole problem as `file:line: field: reason`.
    pub text: String,
}

/// A FHIR resource as JSON: its `resourceType` and the resource's own elements.
#[derive(Debug, Serialize, ToSchema)]
pub struct FhirResource {
    /// The resource's type, e.g. `Patient`, `Bundle`.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
}

/// A FHIR OperationOutcome: why a FHIR request failed, or warnings about one that succeeded.
#[derive(Debug, Serialize, ToSchema)]
pub struct OperationOutcome {
    /// Always `OperationOutcome`.
    #[serde(rename = "resourceType")]
    pub resource_type: String,
    /// The issues.
    pub issue: Vec<OutcomeIssue>,
}

/// One issue of an OperationOutcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeIssue {
    /// `error`, `warning` or `information`.
    pub severity: String,
    /// The FHIR issue type (`invalid`, `not-found`, `login`, ...).
    pub code: String,
    /// What happened, in words.
    pub diagnostics: Option<String>,
    /// Where in the resource, as FHIRPath.
    pub expression: Option<Vec<String>>,
}

/// The document's frame: title, version, the bearer scheme and the shared schemas.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Switchboard",
        description = "Admin API, FHIR R4 server and monitoring of the Switchboard integration engine. \
                       Every `/api` and `/fhir` operation except `/fhir/metadata` needs \
                       `Authorization: Bearer TOKEN` (`switchboard token create`)."
    ),
    components(schemas(ErrorBody, ConfigRefusal, OperationOutcome)),
    modifiers(&BearerScheme),
    security(("bearer" = []))
)]
pub struct Frame;

/// Adds the `bearer` HTTP security scheme.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Which body an error answer has: the admin API's JSON or FHIR's OperationOutcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `application/json` [`ErrorBody`].
    Api,
    /// `application/fhir+json` [`OperationOutcome`].
    Fhir,
}

/// Which operations a layer's answer applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Every operation behind the layer.
    All,
    /// Operations with a path or query parameter or a body (which the extractors can refuse).
    WithInput,
    /// Operations with a request body (which the body limit can refuse).
    WithBody,
}

/// An answer a layer gives for the operations behind it.
#[derive(Debug, Clone, Copy)]
pub struct LayerAnswer {
    /// HTTP status.
    pub status: u16,
    /// When it is answered.
    pub description: &'static str,
    /// Which operations.
    pub applies: Applies,
}

/// The answers of authentication and the store check, around every authenticated operation.
pub const AUTHENTICATED: &[LayerAnswer] = &[
    LayerAnswer {
        status: 400,
        description: "A parameter or body the route cannot read (wrong type, unknown value)",
        applies: Applies::WithInput,
    },
    LayerAnswer {
        status: 401,
        description: "No valid bearer token (missing, unknown, revoked or expired)",
        applies: Applies::All,
    },
    LayerAnswer {
        status: 413,
        description: "The body is larger than `[http] max_body_bytes`",
        applies: Applies::WithBody,
    },
    LayerAnswer {
        status: 503,
        description: "The store is unreachable; try again after `Retry-After`",
        applies: Applies::All,
    },
];

/// The answer of the role check on routes above the viewer role.
pub const ROLE_CHECKED: &[LayerAnswer] = &[LayerAnswer {
    status: 403,
    description: "The token's role is below what the route needs",
    applies: Applies::All,
}];

/// The refusals every FHIR write shares: a body that is not JSON, not a valid resource, or in
/// conflict with what is stored.
pub const FHIR_WRITES: &[LayerAnswer] = &[
    LayerAnswer {
        status: 409,
        description: "It conflicts with what is stored (a duplicate identifier, a reference in use)",
        applies: Applies::WithBody,
    },
    LayerAnswer {
        status: 415,
        description: "The body is declared as something other than JSON",
        applies: Applies::WithBody,
    },
    LayerAnswer {
        status: 422,
        description: "Not a valid resource of this type (or Bundle), with the issues found",
        applies: Applies::WithBody,
    },
];

/// Adds each answer to every operation of `doc` it applies to, unless the operation declares
/// that status itself.
pub fn add_layer_answers(doc: &mut OpenApi, kind: ErrorKind, answers: &[LayerAnswer]) {
    for item in doc.paths.paths.values_mut() {
        let path_has_parameters = item.parameters.as_ref().is_some_and(|p| !p.is_empty());
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            add_to_operation(operation, path_has_parameters, kind, answers);
        }
    }
}

fn add_to_operation(
    operation: &mut Operation,
    path_has_parameters: bool,
    kind: ErrorKind,
    answers: &[LayerAnswer],
) {
    let has_body = operation.request_body.is_some();
    let has_input = has_body
        || path_has_parameters
        || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    for answer in answers {
        let applies = match answer.applies {
            Applies::All => true,
            Applies::WithInput => has_input,
            Applies::WithBody => has_body,
        };
        let status = answer.status.to_string();
        if applies && !operation.responses.responses.contains_key(&status) {
            operation
                .responses
                .responses
                .insert(status, error_response(answer.description, kind).into());
        }
    }
}

/// An error answer with the body of `kind`.
pub fn error_response(description: &str, kind: ErrorKind) -> utoipa::openapi::Response {
    let (media, schema) = match kind {
        ErrorKind::Api => ("application/json", "ErrorBody"),
        ErrorKind::Fhir => (FHIR_JSON, "OperationOutcome"),
    };
    ResponseBuilder::new()
        .description(description)
        .content(
            media,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(schema)))
                .build(),
        )
        .build()
}

/// The FHIR paths with a `{kind}` parameter, written out per resource type: `/fhir/Patient`,
/// `/fhir/Patient/{id}`, ... each with the interactions and search parameters that type
/// supports, as the CapabilityStatement lists them.
pub fn fhir_paths_per_type(doc: &mut OpenApi) {
    let paths = &mut doc.paths.paths;
    let (Some(type_item), Some(instance_item)) = (
        paths.remove("/fhir/{kind}"),
        paths.remove("/fhir/{kind}/{id}"),
    ) else {
        return;
    };
    for kind in Kind::ALL {
        let mut of_type = type_item.clone();
        if !kind.writable() {
            of_type.post = None;
        }
        // Conditional updates and deletes, and patches, are for the types kept as JSON.
        of_type.put = None;
        of_type.delete = None;
        if let Some(search) = of_type.get.as_mut() {
            let parameters = search.parameters.get_or_insert_with(Vec::new);
            parameters.extend(search_parameters(kind));
        }
        let mut instance = instance_item.clone();
        instance.patch = None;
        if !kind.writable() {
            instance.put = None;
        }
        if !kind.deletable() {
            instance.delete = None;
        }
        for (path, mut item) in [
            (format!("/fhir/{}", kind.name()), of_type),
            (format!("/fhir/{}/{{id}}", kind.name()), instance),
        ] {
            for_type(&mut item, kind);
            paths.insert(path, item);
        }
    }
}

/// The operations of `item` for one type: without the `kind` parameter, with their own ids.
fn for_type(item: &mut PathItem, kind: Kind) {
    for operation in [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
    {
        if let Some(parameters) = operation.parameters.as_mut() {
            parameters.retain(|p| p.name != "kind");
        }
        let id = operation.operation_id.take().unwrap_or_default();
        operation.operation_id = Some(format!("{id}_{}", kind.name()));
    }
}

/// The query parameters of a search of `kind`.
fn search_parameters(kind: Kind) -> Vec<Parameter> {
    let text = |name: &str, doc: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .description(Some(doc))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build()
    };
    let number = |name: &str, doc: &str, max: i64| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .description(Some(doc))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .maximum(Some(max)),
            ))
            .build()
    };
    let mut parameters: Vec<Parameter> = kind
        .search_params()
        .iter()
        .map(|param| text(param.name, param.doc))
        .collect();
    parameters.push(number(
        "_count",
        &format!("results per page ({MAX_COUNT} at most: larger values are lowered to it)"),
        i64::MAX,
    ));
    parameters.push(number("_offset", "results to skip", MAX_OFFSET));
    if !kind.includes().is_empty() {
        parameters.push(text(
            "_include",
            "`Type:name` of a reference to add to the results, as the CapabilityStatement lists",
        ));
    }
    parameters
}

/// The document as served, shared by every request.
#[derive(Clone)]
pub struct Document(pub Arc<String>);

impl Document {
    /// The document as JSON text.
    pub fn new(doc: &OpenApi) -> Self {
        Document(Arc::new(doc.to_json().unwrap_or_else(|err| {
            tracing::error!(%err, "cannot write the OpenAPI document");
            String::from("{}")
        })))
    }
}

/// `GET /api/openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object))
)]
pub async fn serve(Extension(document): Extension<Document>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.0.as_str().to_string(),
    )
        .into_response()
}
