//! Markdown is stored as written and sanitised when served, so no stored text can inject script.

/// Removes dangerous HTML (scripts, event handlers, `javascript:` links) from markdown source
/// while keeping the markdown itself readable.
pub fn sanitize(source: &str) -> String {
    if !source.contains('<') {
        return source.to_owned();
    }
    ammonia::Builder::default()
        .clean(source)
        .to_string()
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_scripts_keeps_markdown() {
        let out = super::sanitize("# Title\n<script>alert(1)</script> **bold** > quote & co");
        assert!(!out.contains("<script"));
        assert!(out.contains("# Title"));
        assert!(out.contains("**bold** > quote & co"));
    }

    #[test]
    fn plain_markdown_is_untouched() {
        assert_eq!(super::sanitize("a > b & c"), "a > b & c");
    }
}
