//! GitLab's `rules:if` / `only:variables` expression language: `$VAR`, "strings", 'strings',
//! `null`, `/regex/flags`, `==`, `!=`, `=~`, `!~`, `&&` (binds tighter), `||`, parentheses.
//! Values behave as in GitLab (Ruby): an undefined variable is `null`, `""` is not `null`;
//! `&&`/`||` return an operand, and the statement is true when its value is "present" (not
//! null, false, or a blank string).

use regex::{Regex, RegexBuilder};
use std::collections::HashMap;

/// Regexes from a pipeline file are untrusted: bounded compiled size (GitLab uses RE2).
const MAX_REGEX: usize = 1 << 20;
/// Parentheses deeper than this are refused (the parser recurses).
const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Var(String),
    Str(String),
    Pattern(String),
    Null,
    Eq,
    Ne,
    Match,
    NoMatch,
    And,
    Or,
    Open,
    Close,
}

/// A parsed expression, evaluated against each job's variables.
#[derive(Debug, Clone)]
pub struct Expr(Node);

#[derive(Debug, Clone)]
enum Node {
    Var(String),
    Str(String),
    Pattern(String),
    Null,
    Cmp(Box<Node>, Token, Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Str(String),
    Bool(bool),
    Pattern(String),
}

impl Val {
    /// Ruby truthiness (for `&&`/`||`): only `nil` and `false` are false.
    fn truthy(&self) -> bool {
        !matches!(self, Val::Null | Val::Bool(false))
    }
}

/// Why an expression cannot be used; the sentence GitLab's lint gives (`invalid expression syntax`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError(pub String);

impl Expr {
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        let tokens = lex(text)?;
        for t in &tokens {
            if let Token::Pattern(p) = t {
                regex(p)?;
            }
        }
        let mut p = Parser { tokens, pos: 0, depth: 0 };
        let node = p.or()?;
        if p.pos != p.tokens.len() {
            return Err(invalid());
        }
        Ok(Expr(node))
    }

    /// The statement's truth for these variables. A regex that does not compile is an error.
    pub fn eval(&self, vars: &HashMap<String, String>) -> Result<bool, ExprError> {
        Ok(match eval(&self.0, vars)? {
            Val::Null => false,
            Val::Bool(b) => b,
            Val::Str(s) => !s.trim().is_empty(),
            Val::Pattern(_) => true,
        })
    }
}

fn invalid() -> ExprError {
    ExprError("invalid expression syntax".into())
}

fn lex(text: &str) -> Result<Vec<Token>, ExprError> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let two = rest.get(..2).unwrap_or("");
        let op = match two {
            "==" => Some(Token::Eq),
            "!=" => Some(Token::Ne),
            "=~" => Some(Token::Match),
            "!~" => Some(Token::NoMatch),
            "&&" => Some(Token::And),
            "||" => Some(Token::Or),
            _ => None,
        };
        if let Some(op) = op {
            out.push(op);
            i += 2;
            continue;
        }
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push(Token::Open);
                i += 1;
            }
            b')' => {
                out.push(Token::Close);
                i += 1;
            }
            b'$' => {
                let len = super::super::expand::name_len(&rest[1..]);
                if len == 0 {
                    return Err(invalid());
                }
                out.push(Token::Var(rest[1..1 + len].to_string()));
                i += 1 + len;
            }
            q @ (b'"' | b'\'') => {
                let end = rest[1..].find(q as char).ok_or_else(invalid)?;
                out.push(Token::Str(rest[1..1 + end].to_string()));
                i += end + 2;
            }
            b'/' => {
                // Up to the next unescaped `/`, then the flags.
                let mut j = 1;
                let rb = rest.as_bytes();
                while j < rb.len() && rb[j] != b'/' {
                    j += if rb[j] == b'\\' { 2 } else { 1 };
                }
                if j >= rb.len() {
                    return Err(invalid());
                }
                let flags = rest[j + 1..].bytes().take_while(|c| c.is_ascii_alphabetic()).count();
                out.push(Token::Pattern(rest[..j + 1 + flags].to_string()));
                i += j + 1 + flags;
            }
            _ if rest.starts_with("null") && !rest[4..].starts_with(|c: char| c.is_alphanumeric() || c == '_') => {
                out.push(Token::Null);
                i += 4;
            }
            _ => return Err(invalid()),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or(&mut self) -> Result<Node, ExprError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            left = Node::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, ExprError> {
        let mut left = self.cmp()?;
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            left = Node::And(Box::new(left), Box::new(self.cmp()?));
        }
        Ok(left)
    }

    fn cmp(&mut self) -> Result<Node, ExprError> {
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            self.depth += 1;
            if self.depth > MAX_NESTING {
                return Err(ExprError(format!("parentheses nested more than {MAX_NESTING} levels deep")));
            }
            let inner = self.or()?;
            self.depth -= 1;
            if self.peek() != Some(&Token::Close) {
                return Err(invalid());
            }
            self.pos += 1;
            return Ok(inner);
        }
        let left = self.operand()?;
        match self.peek().cloned() {
            Some(op @ (Token::Eq | Token::Ne | Token::Match | Token::NoMatch)) => {
                self.pos += 1;
                let right = self.operand()?;
                Ok(Node::Cmp(Box::new(left), op, Box::new(right)))
            }
            _ => Ok(left),
        }
    }

    fn operand(&mut self) -> Result<Node, ExprError> {
        let node = match self.peek().cloned() {
            Some(Token::Var(v)) => Node::Var(v),
            Some(Token::Str(s)) => Node::Str(s),
            Some(Token::Pattern(p)) => Node::Pattern(p),
            Some(Token::Null) => Node::Null,
            _ => return Err(invalid()),
        };
        self.pos += 1;
        Ok(node)
    }
}

fn eval(node: &Node, vars: &HashMap<String, String>) -> Result<Val, ExprError> {
    Ok(match node {
        Node::Var(v) => vars.get(v).map_or(Val::Null, |s| Val::Str(s.clone())),
        Node::Str(s) => Val::Str(s.clone()),
        Node::Pattern(p) => Val::Pattern(p.clone()),
        Node::Null => Val::Null,
        Node::And(l, r) => {
            let l = eval(l, vars)?;
            if l.truthy() {
                eval(r, vars)?
            } else {
                l
            }
        }
        Node::Or(l, r) => {
            let l = eval(l, vars)?;
            if l.truthy() {
                l
            } else {
                eval(r, vars)?
            }
        }
        Node::Cmp(l, op, r) => {
            let (l, r) = (eval(l, vars)?, eval(r, vars)?);
            Val::Bool(match op {
                Token::Eq => l == r,
                Token::Ne => l != r,
                Token::Match => matches(&l, &r)?,
                _ => !matches(&l, &r)?,
            })
        }
    })
}

/// `left =~ right`: `right` is a `/pattern/` or a variable holding one (or a bare pattern).
fn matches(left: &Val, right: &Val) -> Result<bool, ExprError> {
    let text = match left {
        Val::Str(s) => s,
        _ => return Ok(false),
    };
    let re = match right {
        Val::Pattern(p) | Val::Str(p) => regex(p)?,
        _ => return Ok(false),
    };
    Ok(re.is_match(text))
}

/// A Ruby-syntax `/pattern/flags` (or a bare pattern) as a bounded regex. Ruby's `m` is
/// "dot matches newline", RE2's `s`.
pub fn regex(text: &str) -> Result<Regex, ExprError> {
    let (pattern, flags) = match text.strip_prefix('/').and_then(|t| t.rfind('/').map(|i| (&t[..i], &t[i + 1..]))) {
        Some(pf) => pf,
        None => (text, ""),
    };
    let pattern = ascii_classes(pattern);
    let mut b = RegexBuilder::new(&pattern);
    b.size_limit(MAX_REGEX);
    for f in flags.chars() {
        match f {
            'i' => b.case_insensitive(true),
            'm' | 's' => b.dot_matches_new_line(true),
            'x' => b.ignore_whitespace(true),
            'U' => b.swap_greed(true),
            _ => return Err(ExprError(format!("unknown regex flag `{f}` in {text}"))),
        };
    }
    b.build().map_err(|e| ExprError(format!("invalid regular expression {text}: {}", e.to_string().lines().last().unwrap_or_default())))
}

/// RE2's `\d`, `\w`, `\s`, `\b` are ASCII; this build of `regex` has no Unicode Perl classes,
/// so they are spelled out.
fn ascii_classes(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('s') => out.push_str("[\\t\\n\\x0B\\x0C\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\x0B\\x0C\\r ]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> bool {
        let vars: HashMap<String, String> = [("BRANCH", "main"), ("EMPTY", ""), ("RE", "/^ma/"), ("TAG", "v1.2.3")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Expr::parse(text).unwrap().eval(&vars).unwrap()
    }

    #[test]
    fn comparisons_and_presence() {
        assert!(eval("$BRANCH == \"main\"") && eval("$BRANCH != 'dev'") && !eval("$BRANCH == 'dev'"));
        assert!(eval("$NOPE == null") && !eval("$EMPTY == null") && eval("$EMPTY == ''"));
        assert!(eval("$BRANCH") && !eval("$EMPTY") && !eval("$NOPE"));
        assert!(eval("$BRANCH == $BRANCH") && !eval("$BRANCH == $TAG"));
    }

    #[test]
    fn regexes_with_flags_and_variables() {
        assert!(eval("$TAG =~ /^v\\d+\\.\\d+/") && eval("$BRANCH =~ /MAIN/i") && !eval("$BRANCH =~ /MAIN/"));
        assert!(eval("$BRANCH =~ $RE") && eval("$TAG !~ $RE") && !eval("$NOPE =~ /.*/") && eval("$NOPE !~ /x/"));
        assert!(eval("'a/b' =~ /a\\/b/"));
    }

    #[test]
    fn precedence_and_parentheses() {
        assert!(eval("$NOPE && $NOPE || $BRANCH"));
        assert!(!eval("$NOPE && ($NOPE || $BRANCH)"));
        assert!(eval("($BRANCH == 'main' || $TAG) && $TAG =~ /v1/"));
        // Ruby: "" is truthy for &&, the final value decides.
        assert!(eval("$EMPTY && $BRANCH"));
    }

    #[test]
    fn syntax_errors() {
        for bad in ["${BRANCH} == 'main'", "$BRANCH ==", "($BRANCH", "$BRANCH = 'x'", "'open", "$A == 'x' $B"] {
            assert_eq!(Expr::parse(bad).unwrap_err(), invalid(), "{bad}");
        }
        assert!(Expr::parse(&"(".repeat(100)).is_err());
        assert!(Expr::parse("$A =~ /(/").is_err());
        assert!(Expr::parse("$A =~ $B").unwrap().eval(&HashMap::from([("A".into(), "x".into()), ("B".into(), "/(/".into())])).is_err());
    }
}
