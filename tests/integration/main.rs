//! One integration-test binary (every extra test binary links polars again): modules run the
//! real `tokenmaxx` binary on the scenario files in scenarios/ and check the library's contracts.

mod activity;
mod charts;
mod cli_errors;
mod cli_run;
mod cluster;
mod compare;
mod compliance;
mod data_loss;
mod decide;
mod engine_contracts;
mod explore;
mod facts;
mod fuzz_regressions;
mod gaming;
mod hostile;
mod hostile_input;
mod html;
mod import;
mod injection;
mod layers;
mod links;
mod model_v2;
mod posterior;
mod properties;
mod reviews;
mod safety;
mod serve;
mod store;
mod sweeps;
mod util;
