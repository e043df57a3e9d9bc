//! Every legacy format against a hash of `correct horse battery staple` made by the software
//! that writes it (named beside each), then a wrong password, and malformed ones.
use super::LegacyHash;

const PASSWORD: &str = "correct horse battery staple";

/// (format, producer, stored hash)
const VECTORS: &[(&str, &str, &str)] = &[
    (
        "bcrypt 2b",
        "Python bcrypt 5.0.0, bcrypt.hashpw(rounds=4)",
        "$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK",
    ),
    (
        "bcrypt 2a",
        "Python bcrypt 5.0.0, prefix=b\"2a\"",
        "$2a$04$vfxWzB3QKtl17.1pj6KrcecLPZrWtAqthx02VP5QrVvadg2CLbrEm",
    ),
    (
        "bcrypt 2y",
        "Apache htpasswd 2.4 (-nbB -C 4), as PHP's password_hash writes it",
        "$2y$04$jbz.ofVLrtecdZDsa/TjPuuT8pbZmHtj/RjgHQzPiRkBu7HMM/vhy",
    ),
    (
        "argon2i",
        "argon2-cffi 25.1.0, PasswordHasher(type=Type.I, t=2, m=1024)",
        "$argon2i$v=19$m=1024,t=2,p=1$yytVmxg3jIGo7uxCSCwhtA$Jf+dGEk9VMgEKheQeGdCTCSzzqMYhrz+1oQ0oCmNcnI",
    ),
    (
        "scrypt PHC",
        "passlib 1.7.4, scrypt.using(rounds=10)",
        "$scrypt$ln=10,r=8,p=1$8t6bszZm7P1f6/1fC0EIQQ$HM5ZjUsuQiE4hZs5ksS9waCUTjE0MvsoYMj1qlpF+lI",
    ),
    (
        "pbkdf2-sha256 (passlib)",
        "passlib 1.7.4, pbkdf2_sha256.using(rounds=1000)",
        "$pbkdf2-sha256$1000$YWwNYcyZ8x7jfG8NwRgDAA$O24MC0VwTrPHQan91KWrUdOnIJMletwVjZ2YQPJHbtE",
    ),
    (
        "pbkdf2-sha512 (passlib)",
        "passlib 1.7.4, pbkdf2_sha512.using(rounds=1000)",
        "$pbkdf2-sha512$1000$5fy/F4JwTqkVYqzV2luLsQ$UPIWJeVdhR/0YtosWfNSzvl90YO2dQENg7VNyI4Yqo/fPej6l.nLbGSU91jUjFfM7bqgzvdtVGo9HueHh79f1g",
    ),
    (
        "pbkdf2 Django",
        "Django 5.2.19, PBKDF2PasswordHasher with iterations = 1000",
        "pbkdf2_sha256$1000$8x8D22xgHrvHAojrEUqziQ$rzhVhfjW0Jkvviw1Fhw/UF4utSStCbhACxuxowk7PVM=",
    ),
    (
        "bcrypt_sha256 Django",
        "Django 5.2.19, BCryptSHA256PasswordHasher with rounds = 4",
        "bcrypt_sha256$$2b$04$PBtSdwowhDKsN.1F7a7srOGsbo6FxgwllQwlrBQ8DyXGZylhFdh/2",
    ),
    (
        "pbkdf2 Werkzeug",
        "Werkzeug 3.1.8, generate_password_hash(method=\"pbkdf2:sha256:1000\")",
        "pbkdf2:sha256:1000$inxlZQA9xVFE1WMW$097acdb7e978d9685bbda40765a2be618389853f3bedf5988615a2f848677fe9",
    ),
    (
        "LDAP {SSHA}",
        "passlib 1.7.4, ldap_salted_sha1",
        "{SSHA}XkYuetgbxPMxWdoKUj16zixNODJCaO29",
    ),
    (
        "LDAP {SSHA256}",
        "passlib 1.7.4, ldap_salted_sha256",
        "{SSHA256}6HTHHL4fQsTkWRZahmGhyQ/LRZuyvuYrSkvWlnNJoTKTMqb0PiekVA==",
    ),
    (
        "LDAP {SSHA512}",
        "passlib 1.7.4, ldap_salted_sha512",
        "{SSHA512}Rac9SYjckDLgkYO30YNpvyzcQPQpAl5TFL1+Oknb0ErzUPOmSet6ID+T9Dpn2NANb3tugTOVXotdyiK5aP98EoSQ8n6vtfYe",
    ),
    (
        "LDAP {SHA}",
        "passlib 1.7.4, ldap_sha1",
        "{SHA}q/eq1kOINtvlJqojGr3i0O73TUI=",
    ),
    (
        "LDAP {MD5}",
        "passlib 1.7.4, ldap_md5",
        "{MD5}nMKuihunqT2jm0b8EBnEgQ==",
    ),
    (
        "LDAP {SMD5}",
        "passlib 1.7.4, ldap_salted_md5",
        "{SMD5}a8qbFe/ZtcPpx8b7BwhquI3xXms=",
    ),
    (
        "MD5 crypt",
        "OpenSSL 3.0.19, openssl passwd -1 -salt abcdefgh",
        "$1$abcdefgh$4/U5.w6NPtLkJ2WyrTwm91",
    ),
    (
        "MD5 crypt (passlib)",
        "passlib 1.7.4, md5_crypt",
        "$1$IGU8scKt$bctRmz5oM3tQdZyIaaM5M0",
    ),
    (
        "SHA-256 crypt",
        "OpenSSL 3.0.19, openssl passwd -5 -salt abcdefghijklmnop",
        "$5$abcdefghijklmnop$hC8AP1csILKOixKEZZT5Ow0ioyImaJ1l9c7ERrYV6O8",
    ),
    (
        "SHA-512 crypt",
        "OpenSSL 3.0.19, openssl passwd -6 -salt abcdefghijklmnop",
        "$6$abcdefghijklmnop$UY4jc6.rVibJ9tqDqiG0GMdZRHkv1j4sPRRH2eUSo3Kszltzbk30CmYcWPNRTD/KsYFHF7WTtNkAxF3dZ3zPE.",
    ),
    (
        "SHA-512 crypt, rounds",
        "passlib 1.7.4, sha512_crypt.using(rounds=10000)",
        "$6$rounds=10000$Wvg8b4ZuqFR10yri$Swc1o.lUfFrmaakbSE/n3eLIojeW/jhBO4JQVLFGX0.FMZc6CpHbNAzaFDa9.dOfu/B95tyapTjpxVWCznBar.",
    ),
    (
        "phpass $P$",
        "passlib 1.7.4, phpass.using(rounds=8)",
        "$P$6Ya5z5mhx5Nal.pgTs7MJyVFSqUPBz.",
    ),
    (
        "phpass $H$",
        "passlib 1.7.4, phpass.using(rounds=8, ident=\"H\")",
        "$H$6GuYasaA8d7f3AI0EYhiT4rQcrdh1A.",
    ),
    (
        "Auth0 sha256, salt prefix, hex",
        "Python hashlib: sha256(salt + password).hexdigest()",
        "{\"algorithm\": \"sha256\", \"hash\": {\"value\": \"6f7c4ed3a72afa6097df915ce44381425858845553a8fefd0ef4a3f6e4838630\", \"encoding\": \"hex\"}, \"salt\": {\"value\": \"s4lt-Value\", \"encoding\": \"utf8\", \"position\": \"prefix\"}}",
    ),
    (
        "Auth0 sha1, salt suffix, base64",
        "Python hashlib: b64(sha1(password + salt))",
        "{\"algorithm\": \"sha1\", \"hash\": {\"value\": \"4O70cr8ov2XZIaqQPX+boFgaJMc=\", \"encoding\": \"base64\"}, \"salt\": {\"value\": \"s4lt-Value\", \"encoding\": \"utf8\", \"position\": \"suffix\"}}",
    ),
    (
        "Auth0 md5, salt prefix (base64 salt)",
        "Python hashlib: md5(salt + password).hexdigest()",
        "{\"algorithm\": \"md5\", \"hash\": {\"value\": \"e2b8d7e3820d6d4c9fdaddf26f12f9f3\", \"encoding\": \"hex\"}, \"salt\": {\"value\": \"czRsdC1WYWx1ZQ==\", \"encoding\": \"base64\", \"position\": \"prefix\"}}",
    ),
    (
        "Auth0 sha512, salt suffix, hex",
        "Python hashlib: sha512(password + salt).hexdigest()",
        "{\"algorithm\": \"sha512\", \"hash\": {\"value\": \"8592ced742c2ca224bb7a8f2718c0ea537b885225100491ea129c20537872300cfdba8ca26b4faac78cee831ee4f97027952bd9d323b286f7d09c82f4df06d08\", \"encoding\": \"hex\"}, \"salt\": {\"value\": \"s4lt-Value\", \"encoding\": \"utf8\", \"position\": \"suffix\"}}",
    ),
    (
        "Auth0 hmac-sha256",
        "Python hmac: b64(hmac(b\"hmac-key\", password, sha256))",
        "{\"algorithm\": \"hmac\", \"hash\": {\"value\": \"4cFKo4oQBuar8FfQby+M4Tx6OUSYOmeE0bTB3VZJUQs=\", \"encoding\": \"base64\", \"digest\": \"sha256\", \"key\": {\"value\": \"hmac-key\", \"encoding\": \"utf8\"}}}",
    ),
    (
        "Auth0 hmac-sha512",
        "Python hmac: hmac(b\"hmac-key\", password, sha512).hexdigest()",
        "{\"algorithm\": \"hmac\", \"hash\": {\"value\": \"0b36ea22aaca886f76fe65ab7d6130488077b4b978d6f9e7dd556c59d7a5d9e369793dfbeee04e295fa7e0fe6562234be401adb19a31cdf8a840dc6a7f97693d\", \"encoding\": \"hex\", \"digest\": \"sha512\", \"key\": {\"value\": \"686d61632d6b6579\", \"encoding\": \"hex\"}}}",
    ),
    (
        "Auth0 bcrypt",
        "Python bcrypt 5.0.0 inside an Auth0 object",
        "{\"algorithm\": \"bcrypt\", \"hash\": {\"value\": \"$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK\"}}",
    ),
    (
        "Auth0 ldap",
        "passlib 1.7.4 ldap_salted_sha1 inside an Auth0 object",
        "{\"algorithm\": \"ldap\", \"hash\": {\"value\": \"{SSHA}XkYuetgbxPMxWdoKUj16zixNODJCaO29\", \"encoding\": \"utf8\"}}",
    ),
    (
        "Auth0 argon2",
        "argon2-cffi 25.1.0 inside an Auth0 object",
        "{\"algorithm\": \"argon2\", \"hash\": {\"value\": \"$argon2i$v=19$m=1024,t=2,p=1$yytVmxg3jIGo7uxCSCwhtA$Jf+dGEk9VMgEKheQeGdCTCSzzqMYhrz+1oQ0oCmNcnI\", \"encoding\": \"utf8\"}}",
    ),
];

#[test]
fn each_format_verifies_the_password_its_software_hashed() {
    for (format, producer, stored) in VECTORS {
        let hash = LegacyHash::parse(stored)
            .unwrap_or_else(|| panic!("{format}: not recognised"))
            .unwrap_or_else(|err| panic!("{format} ({producer}): {err:?}"));
        assert!(hash.verify(PASSWORD), "{format} ({producer})");
        assert!(
            !hash.verify("correct horse battery stapler"),
            "{format}: a wrong password"
        );
        assert!(!hash.verify(""), "{format}: an empty password");
    }
}

/// Auth0's documentation's own PBKDF2 example (`Test@123`, PBKDF2-SHA1, 10,000 rounds).
#[test]
fn auth0s_documented_pbkdf2_example_verifies() {
    let stored = r#"{"algorithm":"pbkdf2","hash":{"value":"$pbkdf2-sha1$i=10000,l=20$wJuJqLoUFsdXa8k3sFhRlA$XMGVWTbeKf4Xd+CGiuEZde8x7QA","encoding":"utf8"}}"#;
    let hash = LegacyHash::parse(stored).unwrap().unwrap();
    assert!(hash.verify("Test@123"));
    assert!(!hash.verify("Test@124"));
}

#[test]
fn malformed_hashes_name_their_kind_and_never_their_value() {
    for (stored, kind) in [
        ("$2b$04$short", "bcrypt"),
        ("$P$short", "phpass"),
        ("pbkdf2_sha256$many$salt$hash", "pbkdf2"),
        ("pbkdf2:sha256:1000$salt$not-hex", "pbkdf2"),
        ("$pbkdf2-sha256$i=99999999999,l=32$c2FsdA$aGFzaA", "pbkdf2"),
        ("$scrypt$ln=30,r=8,p=1$c2FsdA$aGFzaA", "scrypt"),
        (
            "$argon2i$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "argon2",
        ),
        ("{SSHA}dG9vIHNob3J0", "ldap"),
        (
            r#"{"algorithm":"md4","hash":{"value":"00"}}"#,
            "custom_password_hash",
        ),
        (
            r#"{"algorithm":"sha256","hash":{"value":"zz","encoding":"hex"}}"#,
            "custom_password_hash",
        ),
    ] {
        let Some(Err((found, reason))) = LegacyHash::parse(stored) else {
            panic!("{stored}: not refused");
        };
        assert_eq!(found, kind, "{stored}");
        assert!(!reason.contains("c2FsdA"), "{reason}");
    }
    assert!(LegacyHash::parse("hunter2").is_none());
}
