package io.sluice.server;

import java.util.Locale;

/** Building HTML by hand, safely: every value goes through {@link #esc}. */
final class Html {
    private final StringBuilder out = new StringBuilder(4096);

    static String esc(Object value) {
        String s = String.valueOf(value);
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Appends trusted markup (literals written here, never user data). */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Appends text, escaped. */
    Html text(Object value) {
        out.append(esc(value));
        return this;
    }

    Html tag(String name, String attributes, Object text) {
        out.append('<').append(name).append(attributes.isEmpty() ? "" : " " + attributes).append('>').append(esc(text))
                .append("</").append(name).append('>');
        return this;
    }

    Html link(String href, Object text) {
        return raw("<a href=\"" + esc(href) + "\">").text(text).raw("</a>");
    }

    /** A state as a coloured badge. */
    Html state(String state) {
        return raw("<span class=\"st st-" + esc(state.toLowerCase(Locale.ROOT)) + "\">").text(state.replace('_', ' ')).raw("</span>");
    }

    /** A form that changes something: POST, with the session's CSRF token. */
    Html form(String action, String csrf, String buttonText, String buttonClass, String extraFields) {
        return raw("<form method=\"post\" action=\"" + esc(action) + "\" class=\"inline\">"
                + "<input type=\"hidden\" name=\"_csrf\" value=\"" + esc(csrf) + "\">" + extraFields
                + "<button type=\"submit\" class=\"" + esc(buttonClass) + "\">" + esc(buttonText) + "</button></form>");
    }

    @Override
    public String toString() {
        return out.toString();
    }

    static final String CSS = """
            *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;background:#f6f7f9}
            header{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.6rem 1rem;background:#1d2330;color:#fff}
            header a{color:#cfd6e4;text-decoration:none}header a.on,header a:hover{color:#fff;text-decoration:underline}
            header .brand{font-weight:700;color:#fff;margin-right:.5rem}header .who{margin-left:auto;color:#9aa6bd}
            main{padding:1rem;max-width:1400px}h1{font-size:1.35rem;margin:.2rem 0 .8rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
            table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6eb;vertical-align:top}
            th{font-weight:600;color:#4a5468;background:#eef0f4}.scroll{overflow-x:auto}
            a{color:#1f5fbf}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
            pre{background:#0f1420;color:#d8dee9;padding:.7rem;overflow:auto;max-height:28rem;border-radius:4px;white-space:pre-wrap;word-break:break-word}
            .st{display:inline-block;padding:0 .45rem;border-radius:9px;font-size:12px;font-weight:600;background:#dde1e8;color:#333}
            .st-succeeded{background:#d3f2dc;color:#0f5b27}.st-failed,.st-upstream_failed{background:#fbd5d5;color:#8a1010}.st-timed_out{background:#ffe0c2;color:#8a4300}
            .st-running{background:#d3e4fb;color:#0d3f8a}.st-waiting,.st-retrying{background:#fff1bf;color:#6b5200}.st-cancelled,.st-skipped{background:#e4e4e4;color:#555}
            .sq{display:inline-block;width:13px;height:13px;margin:1px;border-radius:2px;background:#ccc;vertical-align:middle}
            .sq.succeeded{background:#2ea44f}.sq.failed{background:#d73a49}.sq.timed_out{background:#f08c00}.sq.running{background:#2f81f7}
            .sq.waiting,.sq.queued{background:#e3b341}.sq.cancelled,.sq.skipped{background:#999}
            .card{background:#fff;border:1px solid #e3e6eb;border-radius:6px;padding:.8rem 1rem;margin:.6rem 0}
            .card.bad{border-left:4px solid #d73a49}.muted{color:#6b7385}.inline{display:inline}
            button{font:inherit;padding:.35rem .8rem;border-radius:4px;border:1px solid #b9c0cc;background:#fff;cursor:pointer}
            button.danger{border-color:#d73a49;color:#a31623}button.go{background:#1f6feb;border-color:#1f6feb;color:#fff}
            input[type=text],input[type=password]{font:inherit;padding:.4rem;border:1px solid #b9c0cc;border-radius:4px;width:100%;max-width:28rem}
            .grid td{padding:2px;text-align:center}.flash{background:#fff8c5;border:1px solid #e3c300;padding:.5rem .8rem;border-radius:4px;margin-bottom:.8rem}
            .err{background:#ffebe9;border:1px solid #d73a49;padding:.5rem .8rem;border-radius:4px;margin-bottom:.8rem}
            svg text{font:11px system-ui,sans-serif}
            @media (max-width:640px){main{padding:.6rem}th,td{padding:.3rem}.hide-sm{display:none}}
            """;

    /** Live updates without reloading: the page's main part is fetched again every few seconds and swapped in. */
    static final String JS = """
            (function(){
              var main=document.querySelector('main[data-live]');if(!main)return;
              setInterval(function(){
                if(document.hidden)return;
                var a=document.activeElement;if(a&&main.contains(a)&&(a.tagName==='INPUT'||a.tagName==='TEXTAREA'))return;
                fetch(location.href,{headers:{'X-Sluice-Partial':'1'},credentials:'same-origin'}).then(function(r){
                  if(r.status===200)return r.text();if(r.status===401)location.reload();return null;
                }).then(function(t){if(t!==null&&t!==main.innerHTML)main.innerHTML=t;}).catch(function(){});
              },3000);
            })();
            """;
}
