//! Markdown is stored and served as written, as uData's `Markdown` field is: rendering it is
//! the reader's job. Where Plateau renders it itself (the Atom feed's `content`), the HTML is
//! sanitised, so no stored text can inject script.

use pulldown_cmark::{Options, Parser, html};

/// `source` rendered to HTML (CommonMark with tables and strikethrough), without scripts,
/// event handlers, `javascript:` links or other dangerous markup.
pub fn to_safe_html(source: &str) -> String {
    let mut rendered = String::with_capacity(source.len() + source.len() / 2);
    html::push_html(
        &mut rendered,
        Parser::new_ext(
            source,
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
        ),
    );
    ammonia::clean(&rendered)
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn renders_markdown_and_removes_scripts() {
        let html = to_safe_html("# Title\n\nA & <b>bold</b> <script>alert(1)</script> **strong**");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert(1)"), "{html}");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<b>bold</b>"), "{html}");
        assert!(html.contains("<strong>strong</strong>"), "{html}");
        assert!(html.contains("A &amp; "), "{html}");
    }

    #[test]
    fn removes_event_handlers_and_javascript_links() {
        let html = to_safe_html("<img src=x onerror=alert(1)> [a](javascript:alert(2))");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
