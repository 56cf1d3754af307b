//! Userlists for `http_auth` / `http_auth_group` and `http-request auth`.

use std::collections::HashMap;

use crate::ir::haproxy::Userlist;

#[derive(Debug, Clone)]
struct User {
    password: Option<String>,
    insecure: bool,
    groups: Vec<String>,
}

/// A compiled `userlist` section.
#[derive(Debug, Clone)]
pub struct Users {
    pub name: String,
    users: HashMap<String, User>,
}

impl Users {
    pub fn from_ir(u: &Userlist) -> Self {
        let mut users: HashMap<String, User> = u
            .users
            .iter()
            .map(|x| {
                (
                    x.name.clone(),
                    User {
                        password: x.password.clone(),
                        insecure: x.insecure,
                        groups: x.groups.clone(),
                    },
                )
            })
            .collect();
        // `group G users a,b` and `user a groups G` both make membership.
        for g in &u.groups {
            for name in &g.users {
                if let Some(user) = users.get_mut(name)
                    && !user.groups.contains(&g.name)
                {
                    user.groups.push(g.name.clone());
                }
            }
        }
        Users {
            name: u.name.clone(),
            users,
        }
    }

    /// Checks a user's password: clear text for `insecure-password`, crypt(3) otherwise
    /// (as HAProxy calls crypt() and compares).
    pub fn check(&self, user: &str, pass: &str) -> bool {
        let Some(u) = self.users.get(user) else {
            return false;
        };
        let Some(stored) = &u.password else {
            return false;
        };
        if u.insecure {
            return stored == pass;
        }
        pwhash::unix::verify(pass, stored)
    }

    /// Whether the user belongs to one of `groups`.
    pub fn in_group(&self, user: &str, groups: &[&[u8]]) -> bool {
        self.users
            .get(user)
            .is_some_and(|u| u.groups.iter().any(|g| groups.contains(&g.as_bytes())))
    }

    /// The groups of a user.
    pub fn groups_of(&self, user: &str) -> &[String] {
        self.users
            .get(user)
            .map(|u| u.groups.as_slice())
            .unwrap_or(&[])
    }
}
