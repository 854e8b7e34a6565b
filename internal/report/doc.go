// Package report renders scan findings for people and for machines.
//
// A Report is built once with New, which copies the findings (in the order
// given), normalizes empty evidence and references, and computes a Summary.
// Write renders it in one of Formats:
//
//   - json: the contract, a single "rootguard.findings/v1" document whose
//     JSON Schema is embedded (JSONSchema) and checked by the tests;
//   - table: the human view, summary first, then FAIL and UNKNOWN findings
//     grouped by account, wrapped at about 100 columns, ANSI colour only
//     when asked;
//   - csv: one row per finding, evidence as compact JSON;
//   - markdown: summary tables and one section per account;
//   - html: one self-contained page (embedded CSS, no JavaScript, a strict
//     Content-Security-Policy), everything escaped by html/template;
//   - asff: an AWS Security Finding Format array for Security Hub's
//     BatchImportFindings;
//   - ocsf: OCSF 1.3 Compliance Finding (class 2003) events.
//
// Every renderer is deterministic: findings keep the order given, maps are
// written with sorted keys, and times come only from the Report, so golden
// files stay stable. Text that came from AWS (account names, details) is
// treated as hostile: control and bidirectional characters are made visible
// in terminal output, markdown and HTML escape it, and CSV cells that a
// spreadsheet would run as a formula are defused.
package report
