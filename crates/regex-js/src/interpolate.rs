//! Rust's replacement syntax (`$1`, `$name`, `${1}`, `$$`), expanded here rather than by
//! JavaScript's `String.prototype.replace`, whose `$1a` means group 1 then `a` where Rust
//! reads the group named `1a`. Same rules as regex-lite 0.1.9's `interpolate::string`.

pub(crate) enum Ref<'a> {
    Number(usize),
    Named(&'a str),
}

pub(crate) fn string(
    mut rep: &str,
    mut append: impl FnMut(usize, &mut String),
    mut name_to_index: impl FnMut(&str) -> Option<usize>,
    dst: &mut String,
) {
    while let Some(i) = rep.find('$') {
        dst.push_str(&rep[..i]);
        rep = &rep[i..];
        if rep.as_bytes().get(1) == Some(&b'$') {
            dst.push('$');
            rep = &rep[2..];
            continue;
        }
        let Some((cap, end)) = cap_ref(rep.as_bytes()) else {
            dst.push('$');
            rep = &rep[1..];
            continue;
        };
        rep = &rep[end..];
        match cap {
            Ref::Number(i) => append(i, dst),
            Ref::Named(name) => {
                if let Some(i) = name_to_index(name) {
                    append(i, dst);
                }
            }
        }
    }
    dst.push_str(rep);
}

fn cap_ref(rep: &[u8]) -> Option<(Ref<'_>, usize)> {
    if rep.len() <= 1 || rep[0] != b'$' {
        return None;
    }
    let (start, end, next) = if rep[1] == b'{' {
        let close = rep[2..].iter().position(|&b| b == b'}')? + 2;
        (2, close, close + 1)
    } else {
        let len = rep[1..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        if len == 0 {
            return None;
        }
        (1, 1 + len, 1 + len)
    };
    let name = std::str::from_utf8(&rep[start..end]).ok()?;
    Some((name.parse::<usize>().map_or(Ref::Named(name), Ref::Number), next))
}
