//! The query string of an API request, read into the same requests the command line builds:
//! parameters are named like the CLI options (`q` for the query, `limit` or `n`,
//! `offset`, `per_article`, `snippet_chars`, `source`, `from`, `to`, `mentions_date`,
//! `person`, `org`, `place`, `sort`, `facets`, `top`, `interval`, `format`,
//! `highlight`), repeatable ones repeated. Every number is bounded and an unknown
//! parameter is an error, so a typo is never silently ignored.

use chrono::NaiveDate;

use crate::alert::FilterSpec;
use crate::output::{Highlight, QueryFormat};
use crate::search::facets::{FacetRequest, Interval};
use crate::search::filters::Filters;
use crate::search::story_list::StoryRequest;
use crate::search::{Group, SearchRequest, Sort};

/// Longest query text, in bytes.
const MAX_QUERY_BYTES: usize = 2_000;
/// Most passages one response may ask for.
const MAX_LIMIT: usize = 1_000;
/// Deepest page (`offset`).
const MAX_OFFSET: usize = 100_000;

/// A request's parameters that could not be read: the message says which and why.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct BadParams(pub String);

/// The parameters as given, in order.
pub(super) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.replace('-', "_"), v.into_owned()))
            .collect();
        Params { pairs }
    }

    /// Refuses parameters other than `known`.
    fn only(&self, known: &[&str]) -> Result<(), BadParams> {
        match self
            .pairs
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            Some((key, _)) => Err(BadParams(format!(
                "unknown parameter {key:?} (known: {})",
                known.join(", ")
            ))),
            None => Ok(()),
        }
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn one(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn number(
        &self,
        key: &str,
        default: usize,
        low: usize,
        high: usize,
    ) -> Result<usize, BadParams> {
        let Some(text) = self.one(key) else {
            return Ok(default);
        };
        match text.parse::<usize>() {
            Ok(n) if (low..=high).contains(&n) => Ok(n),
            _ => Err(BadParams(format!(
                "{key} must be a whole number from {low} to {high}, not {text:?}"
            ))),
        }
    }

    fn flag(&self, key: &str) -> Result<bool, BadParams> {
        match self.one(key) {
            None => Ok(false),
            Some("" | "true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(BadParams(format!(
                "{key} must be true or false, not {other:?}"
            ))),
        }
    }

    fn choice<T: Copy>(
        &self,
        key: &str,
        default: T,
        options: &[(&str, T)],
    ) -> Result<T, BadParams> {
        let Some(text) = self.one(key) else {
            return Ok(default);
        };
        options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                BadParams(format!(
                    "{key} must be one of {}, not {text:?}",
                    names.join(", ")
                ))
            })
    }

    fn filters(&self, today: NaiveDate) -> Result<Filters, BadParams> {
        let spec = FilterSpec {
            source: self.all("source"),
            from: self.one("from").map(str::to_string),
            to: self.one("to").map(str::to_string),
            mentions_date: self.all("mentions_date"),
            person: self.all("person"),
            org: self.all("org"),
            place: self.all("place"),
        };
        spec.resolve(today).map_err(|e| BadParams(format!("{e:#}")))
    }

    fn query_text(&self, required: bool) -> Result<Option<String>, BadParams> {
        match self.one("q") {
            Some(q) if q.len() > MAX_QUERY_BYTES => Err(BadParams(format!(
                "the query is {} bytes long; at most {MAX_QUERY_BYTES} are accepted",
                q.len()
            ))),
            Some(q) if !q.trim().is_empty() => Ok(Some(q.to_string())),
            _ if required => Err(BadParams(
                "give the query in the parameter q (or, to list articles, a filter such as person or source)".into(),
            )),
            _ => Ok(None),
        }
    }

    fn facet_request(&self) -> Result<FacetRequest, BadParams> {
        Ok(FacetRequest {
            top: self.number("top", 20, 1, MAX_LIMIT)?,
            interval: self.choice(
                "interval",
                Interval::Month,
                &[
                    ("day", Interval::Day),
                    ("week", Interval::Week),
                    ("month", Interval::Month),
                    ("year", Interval::Year),
                ],
            )?,
        })
    }
}

const FILTERS: [&str; 7] = [
    "source",
    "from",
    "to",
    "mentions_date",
    "person",
    "org",
    "place",
];

/// A search as `/api/search` is asked for it, and how to print it.
pub(super) struct SearchParams {
    pub request: SearchRequest,
    pub format: QueryFormat,
    pub highlight: Highlight,
}

pub(super) fn search(params: &Params, today: NaiveDate) -> Result<SearchParams, BadParams> {
    let mut known = vec![
        "q",
        "limit",
        "n",
        "offset",
        "per_article",
        "snippet_chars",
        "sort",
        "group",
        "facets",
        "top",
        "interval",
        "format",
        "highlight",
    ];
    known.extend(FILTERS);
    params.only(&known)?;
    let filters = params.filters(today)?;
    // Without a query, the filters alone select the articles (newest first).
    let query = params
        .query_text(filters == Filters::default())?
        .unwrap_or_default();
    let limit = match params.one("limit") {
        Some(_) => params.number("limit", 10, 1, MAX_LIMIT)?,
        None => params.number("n", 10, 1, MAX_LIMIT)?,
    };
    let facets = params.flag("facets")?;
    Ok(SearchParams {
        request: SearchRequest {
            query,
            limit,
            offset: params.number("offset", 0, 0, MAX_OFFSET)?,
            per_article: params.number("per_article", 2, 1, 100)?,
            snippet_chars: params.number("snippet_chars", 200, 20, 5_000)?,
            filters,
            sort: params.choice(
                "sort",
                Sort::Relevance,
                &[("relevance", Sort::Relevance), ("date", Sort::Date)],
            )?,
            group: params.choice(
                "group",
                Group::Story,
                &[("story", Group::Story), ("article", Group::Article)],
            )?,
            facets: if facets {
                Some(params.facet_request()?)
            } else {
                None
            },
        },
        format: params.choice(
            "format",
            QueryFormat::Json,
            &[("json", QueryFormat::Json), ("text", QueryFormat::Text)],
        )?,
        highlight: params.choice(
            "highlight",
            Highlight::Markdown,
            &[
                ("markdown", Highlight::Markdown),
                ("html", Highlight::Html),
                ("none", Highlight::None),
            ],
        )?,
    })
}

/// A facet count as `/api/facets` is asked for it.
pub(super) struct FacetParams {
    pub query: Option<String>,
    pub filters: Filters,
    pub request: FacetRequest,
}

pub(super) fn facets(params: &Params, today: NaiveDate) -> Result<FacetParams, BadParams> {
    let mut known = vec!["q", "top", "interval"];
    known.extend(FILTERS);
    params.only(&known)?;
    Ok(FacetParams {
        query: params.query_text(false)?,
        filters: params.filters(today)?,
        request: params.facet_request()?,
    })
}

/// A story listing as `/api/stories` is asked for it.
pub(super) fn stories(params: &Params, today: NaiveDate) -> Result<StoryRequest, BadParams> {
    let mut known = vec!["q", "limit", "n", "offset", "articles"];
    known.extend(FILTERS);
    params.only(&known)?;
    let limit = match params.one("limit") {
        Some(_) => params.number("limit", 20, 1, MAX_LIMIT)?,
        None => params.number("n", 20, 1, MAX_LIMIT)?,
    };
    Ok(StoryRequest {
        query: params.query_text(false)?,
        filters: params.filters(today)?,
        limit,
        offset: params.number("offset", 0, 0, MAX_OFFSET)?,
        articles: params.number("articles", 5, 0, 100)?,
    })
}

/// Endpoints that take no parameter refuse any.
pub(super) fn none(params: &Params) -> Result<(), BadParams> {
    params.only(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, 25).unwrap()
    }

    #[test]
    fn parameters_are_named_like_the_cli_options_and_repeat() {
        let params = Params::parse(Some(
            "q=Rafah+ceasefire&n=5&per-article=1&source=AFP&source=Reuters&from=2024-03&person=Netanyahu&sort=date&facets=true&top=3",
        ));
        let search = search(&params, today()).unwrap();
        let request = search.request;
        assert_eq!(request.query, "Rafah ceasefire");
        assert_eq!((request.limit, request.per_article), (5, 1));
        assert_eq!(request.filters.sources, ["AFP", "Reuters"]);
        assert_eq!(
            request.filters.published.from,
            NaiveDate::from_ymd_opt(2024, 3, 1)
        );
        assert_eq!(request.sort, Sort::Date);
        assert_eq!(request.facets.map(|f| f.top), Some(3));
        assert_eq!(search.format, QueryFormat::Json);
    }

    #[test]
    fn unknown_out_of_range_and_malformed_parameters_are_refused_by_name() {
        let refused = |query: &str| {
            search(&Params::parse(Some(query)), today())
                .err()
                .unwrap()
                .0
        };
        assert!(refused("q=x&limt=3").contains("unknown parameter \"limt\""));
        assert!(
            refused("q=x&n=100000").contains("limit") || refused("q=x&n=100000").contains("n must")
        );
        assert!(refused("q=x&offset=-1").contains("offset"));
        assert!(refused("q=x&from=yesterweek").contains("yesterweek"));
        assert!(refused("q=x&sort=random").contains("sort must be one of"));
        assert!(refused("").contains("parameter q"));
        assert!(refused(&format!("q={}", "a".repeat(3000))).contains("at most 2000"));
        assert!(facets(&Params::parse(Some("interval=decade")), today()).is_err());
        assert!(none(&Params::parse(Some("x=1"))).is_err());
    }
}
