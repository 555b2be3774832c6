//! The containers, networks and volumes Berth makes on the engine for compose stacks and
//! pipeline runs: the labels that name them, and creating and removing them. It sits below
//! `compose` and `pipelines` and imports neither.

pub mod create;
pub mod labels;
pub mod remove;
