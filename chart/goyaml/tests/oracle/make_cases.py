"""Writes ../data/yaml_cases.txt, the YAML inputs the Go oracle (main.go) decodes.

Run: python3 make_cases.py && GOPATH=/usr/share/gocode GO111MODULE=off go run main.go
"""
cases = []


def c(name, text, nonl=False):
    cases.append((name, text, nonl))


# The resolve table: every plain scalar form, as a map value and alone.
scalars = """y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF
~ null Null NULL nULL .nan .NaN .NAN .inf .Inf .INF +.inf -.inf -.Inf .nAn
0 -0 +0 00 07 0755 08 09 0o17 0O17 0x1F 0X1F 0xg 0b101 -0b101 +0b101 0b2 1_000 1__0 _1 +12 -12
9223372036854775807 9223372036854775808 18446744073709551615 18446744073709551616
-9223372036854775808 -9223372036854775809
1.0 1.10 1.5 .5 -.5 +.5 5. 1e3 1E3 1e+3 1e-3 -1e-3 1.5e300 1e400 -1e400 1_0.5 0.1 3.14159265
1e 1e+ e3 .e3 . .. 080 0x_1F 0b1_01
2001-12-14 2001-12-14T21:59:43.10-05:00 2001-12-14t21:59:43.10Z 2001-1-2 2001-13-45 200-01-01
20011-01-01 1:20 190:20:30 -1:20 1:20.5 12:60 a:b
<< = - -- -a foo bar foo_bar Foo 0xFFFFFFFFFFFFFFFF 0x8000000000000000 -0x1 +0x1 0o8 0b 0x
1.2.3 1,000 $1 +inf Infinity NaN nan""".split()
c("resolve-table", "".join(f"k{i}: {s}\n" for i, s in enumerate(scalars)))
for i, s in enumerate(scalars):
    c(f"scalar-{i}", s + "\n")
c("timestamp-space", "a: 2001-12-14 21:59:43.10\n")
c("empty", "")
c("only-comment", "# just a comment\n")
c("only-newlines", "\n\n\n")
c("doc-marker-only", "---\n")
c("null-value", "a:\nb: ~\n")
c("quoted", "a: 'yes'\nb: \"1\"\nc: '~'\nd: \"\"\ne: ''\n")
c("tags", "a: !!str 123\nb: !!int \"12\"\nc: !!float 1\nd: !!bool yes\ne: !!null ~\nf: !!str\n"
  "g: !custom foo\nh: ! 12\ni: !!binary aGVsbG8=\nj: !!timestamp 2001-12-14\nk: !!str true\n"
  "l: !<tag:yaml.org,2002:str> 5\n")
c("tag-int-bad", "a: !!int 1.5\n")
c("tag-int-str", "a: !!int foo\n")
c("tag-bool-bad", "a: !!bool 1\n")
c("tag-float-str", "a: !!float abc\n")
c("binary-bad", "a: !!binary '%%%'\n")
c("binary-invalid-utf8", "a: !!binary /w==\n")
c("binary-multiline", "a: !!binary |\n  aGVs\n  bG8=\n")
c("anchors", "base: &b\n  x: 1\n  y: 2\nref: *b\nlist: &l [1, 2]\nl2: *l\ns: &s hello\ns2: *s\n")
c("merge", "base: &b\n  x: 1\n  y: 2\nd:\n  <<: *b\n  y: 3\n  z: 4\n")
c("merge-after", "base: &b\n  x: 1\n  y: 2\nd:\n  y: 3\n  <<: *b\n")
c("merge-seq", "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  w: 0\n")
c("merge-inline", "c:\n  <<: {x: 1}\n  y: 2\n")
c("merge-bad", "a: &a [1]\nc:\n  <<: *a\n")
c("merge-scalar", "c:\n  <<: 1\n")
c("merge-quoted", "c:\n  '<<': {x: 1}\n")
c("unknown-anchor", "a: *nope\n")
c("self-alias", "a: &a [*a]\n")
c("duplicate-keys", "a: 1\nb: 2\na: 3\n")
c("dup-nested", "a:\n  x: 1\na:\n  y: 2\n")
c("keys-typed", "1: int\n1.5: float\ntrue: bool\nyes: yes\non: on\nn: n\n0x10: hex\n\"2\": str\n2: int2\n"
  "-1: neg\n1e3: exp\n9223372036854775808: big\n")
c("key-inf", ".inf: x\n")
c("key-null", "~: x\n")
c("key-null-empty", ": x\n")
c("key-nan", ".nan: x\n")
c("key-seq", "[1, 2]: x\n")
c("key-map", "{a: 1}: x\n")
c("key-float-32", "3.14159265: pi\n0.1: a\n1e20: b\n100000000: c\n1.0: d\n")
c("key-collide", "1: a\n'1': b\n")
c("inf-value", "a: .inf\n")
c("neginf-value", "a: -.inf\n")
c("nan-value", "a: .nan\n")
c("nested", "a:\n  b:\n    - 1\n    - x: y\n      z: [1, {q: r}]\n  c: {}\n  d: []\n")
c("flow", "{a: 1, b: [x, y, 'z'], c: {d: e}}\n")
c("flow-json", '{"a": 1, "b": [1.5, true, null, "s"], "c": {"d": -2}}\n')
c("json-compact", '{"a":1,"b":"x"}', nonl=True)
c("list-top", "- a\n- b\n- - c\n  - d\n")
c("scalar-top", "hello\n")
c("multi-doc", "a: 1\n---\nb: 2\n---\n- x\n")
c("multi-doc-start", "---\na: 1\n...\n---\nb: 2\n")
c("multi-doc-empty", "---\n---\na: 1\n")
c("multi-doc-error-second", "a: 1\n---\nb: [\n")
c("literal", "a: |\n  line1\n  line2\nb: |-\n  x\n  y\nc: |+\n  keep\n\nd: >\n  folded\n  text\n\n  para\n"
  "e: >-\n  x\n   y\n  z\n")
c("literal-indent", "a: |2\n   lead\n  x\n")
c("plain-multiline", "a: this is\n  a plain\n  multi line\nb: 'single\n  quoted'\nc: \"double\\\n  escaped\\ttab\"\n")
c("escapes", 'a: "\\x41\\u00e9\\U0001F600\\n\\t\\\\\\"\\/\\0\\a\\b\\e\\f\\r\\v\\N\\_\\L\\P\\ "\n')
c("escape-bad", 'a: "\\q"\n')
c("unicode", "ключ: значение\nemoji: 😀\ncjk: 日本語\n")
c("crlf", "a: 1\r\nb: two\r\nc: |\r\n  x\r\n  y\r\n")
c("bom", "\ufeffa: 1\n")
c("comments", "# top\na: 1 # trailing\nb: 'x' # c\n# end\n")
c("hash-in-value", "a: x#y\nb: x #y\nc: 'x #y'\n")
c("colon-in-value", "a: x:y\nb: http://x.y/z\nc: 'a: b'\n")
c("tab-indent", "a:\n\tb: 1\n")
c("tab-after-key", "a:\t1\n")
c("tab-in-value", "a: x\ty\n")
c("tab-in-flow", "a: [1,\t2]\n")
c("tab-before-comment", "a: 1\t# c\n")
c("err-mapping-values", "a: b: c\n")
c("err-mapping-values-line3", "a: 1\nb: 2\nc: d: e\n")
c("err-bad-indent", "a:\n  b: 1\n c: 2\n")
c("err-bad-indent2", "a: 1\n  b: 2\n")
c("err-seq-in-map", "a: 1\n- b\n")
c("err-unclosed-flow", "a: [1, 2\n")
c("err-unclosed-flow-map", "a: {x: 1\n")
c("err-unclosed-quote", "a: \"abc\n")
c("err-unclosed-single", "a: 'abc\n")
c("err-at", "a: @foo\n")
c("err-backtick", "a: `foo\n")
c("err-key-no-colon", "a: 1\nb\nc: 2\n")
c("err-key-no-colon-first", "a\nb: 1\n")
c("err-template", "a: {{ .Values.x }}\n")
c("err-template-quoted", "a: \"{{ .Values.x }}\"\n")
c("err-bad-tag-handle", "a: !x!y 1\n")
c("err-alias-key", "*a: 1\n")
c("err-stray-close", "a: 1]\n")
c("err-line5", "a: 1\nb: 2\nc: 3\nd: 4\ne: [\n")
c("err-dash-dash", "a: -- b\nc: - d\n")
c("err-double-colon", "a:: b\n")
c("err-dup-anchor", "a: &x 1\nb: &x 2\nc: *x\n")
c("directive-yaml", "%YAML 1.1\n---\na: 1\n")
c("err-directive-bad", "%FOO bar\n---\na: 1\n")
c("tag-directive", "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n")
c("long-line", "a: " + "word " * 40 + "\n")
c("indent-seq", "a:\n- 1\n- 2\nb:\n  - 3\n")
c("complex-key", "? a\n: 1\n? b\n: 2\n")
c("weird-plain", "a: -x\nb: ?x\nc: :x\nd: x:\ne: x?\nf: x,y\ng: x]\n")
c("err-plain-comma", "f: ,x\n")
c("numbers-as-strings-keys", "'1': a\n\"true\": b\n")
c("empty-values", "a:\nb: \"\"\nc: []\nd: {}\ne: -\n")
c("no-final-newline", "a: 1\nb: x", nonl=True)
c("spaces-only", "   \n  \n")
c("document-end-only", "...\n")
c("deep", "a:\n  b:\n    c:\n      d:\n        e: [1, [2, [3]]]\n")
c("seq-of-maps", "- a: 1\n  b: 2\n- c: 3\n")
c("null-in-seq", "- \n- ~\n- null\n-\n")
c("special-keys", "\"a b\": 1\n\"a: b\": 2\n\"#x\": 3\n\"\": 4\n' ': 5\n")
c("int-overflow-key", "18446744073709551616: x\n")
c("sort-keys", "b: 1\na10: 2\na2: 3\nA: 4\n_x: 5\n'1': 6\na: 7\nab: 8\na-b: 9\na_b: 10\nZ: 11\n"
  "a01: 12\na1: 13\né: 14\n")
c("helm-values", """replicaCount: 1
image:
  repository: nginx
  tag: stable
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 80
ingress:
  enabled: false
  annotations: {}
  hosts:
    - host: chart-example.local
      paths: []
  tls: []
resources: {}
nodeSelector: {}
tolerations: []
affinity: {}
""")


# Grammar corners where libyaml (YAML 1.1) and YAML 1.2 parsers part ways, and common mistakes.
more = {
    "indent-under-key": "key: value\n  bad: indent\n",
    "seq-then-map": "- a\nb: c\n",
    "seq-map-mix": "a:\n  - b\n  c: d\n",
    "single-escape": "a: 'it''s'\n",
    "dq-squote-escape": "a: \"x\\'y\"\n",
    "tabs-after-key": "a:\t\tb\n",
    "trailing-tab": "a: b\t\n",
    "tab-seq-indent": "a:\n\t- b\n",
    "trailing-spaces": "key:    value   \n",
    "literal-tab-content": "a: |\n  text\n  \ttabbed\n",
    "folded-para": "a: >-\n  folded\n\n  more\n  lines\n",
    "literal-leading-blank": "a: |-\n\n  leading blank\n",
    "literal-empty": "a: |\nb: 1\n",
    "literal-trailing-blanks": "a: |\n  x\n\n\nb: 1\n",
    "literal-keep-end": "a: |+\n  x\n\n\n",
    "literal-keep-eof": "a: |+\n  x",
    "folded-eof": "a: >\n  x",
    "literal-strip-eof": "a: |-\n  x",
    "literal-eof-trailing-spaces": "a: |\n  x   ",
    "literal-in-seq": "- |\n  x\n- y\n",
    "literal-more-indented": "a: |\n  x\n    y\n  z\n",
    "folded-more-indented": "a: >\n  x\n    y\n  z\n",
    "dq-multiline-blank": "a: \"multi\n\n  line\"\n",
    "sq-multiline-blank": "a: 'x\n\n  y'\n",
    "dq-escaped-newline": "a: \"x\\\n   y\"\n",
    "flow-trailing-comma": "a: [1, 2, ]\n",
    "flow-map-trailing-comma": "a: {x: 1, }\n",
    "flow-nested": "a: {b: [c, {d: e}], f: g}\n",
    "flow-multiline-plain": "a: [b\n  c, d]\n",
    "flow-less-indented": "a:\n  b: [\n1, 2\n]\n",
    "flow-map-less-indented": "a:\n  b: {x: 1,\n y: 2}\n",
    "flow-single-pair": "a: [x: 1, y: 2]\n",
    "flow-key-only": "a: {x, y: 1}\n",
    "complex-key-seq": "? - a\n: b\n",
    "anchor-later": "a: *b\nb: &b 1\n",
    "anchor-on-empty": "a: &x\nb: *x\n",
    "anchor-names": "a: &a-b_1 x\nb: *a-b_1\n",
    "nulls": "a: ~\nb: null\nc: Null\nd: NULL\n",
    "doc-end": "foo: bar\n...\n",
    "root-folded": "--- >\n  folded root\n  text\n",
    "root-literal": "--- |\n  literal root\n",
    "comments-indented": "a: b # c\n# d\n  # e\nf: g\n",
    "comment-only-value": "a:\n  # comment only\nb: 1\n",
    "blank-lines-nested": "a:\n\n\n  b: 1\n",
    "quoted-then-junk": "a: 'x'y\n",
    "dq-then-junk": "a: \"x\"y\n",
    "continuation-key": "a: x\n b: y\n",
    "seq-bad-indent": "a:\n- b\n - c\n",
    "seq-dash-no-space": "- a\n -b\n",
    "block-seq-inline": "a: - b\n",
    "unicode-breaks": "a: x\u2028y\nb: x\u0085y\n",
    "nbsp-lead": "a: \u00a0x\n",
    "key-space-colon": "a : 1\n",
    "no-space-colon": "a:1\n",
    "colon-in-plain": "a: b:c\nd: :e\n",
    "dash-values": "a: -\nb: ---\nc: ...\nd: -x\n",
    "doc-start-junk": "---a\n",
    "doc-start-inline": "--- a\n",
    "seq-of-dashes": "- ---\n- ...\n",
    "flow-top-empty-map": "{}\n",
    "flow-top-empty-seq": "[]\n",
    "tag-str-empty": "a: !!str\nb: !!str ''\n",
    "tag-int-empty": "a: !!int\n",
    "tag-null-str": "a: !!null ''\n",
    "tag-set": "a: !!set {x, y}\n",
    "tag-seq-on-map": "a: !!seq {x: 1}\n",
    "dup-int-keys": "0: a\n00: b\n0x0: c\n",
    "merge-nested-override": "base: &b\n  x: {p: 1}\nd:\n  <<: *b\n  x: {q: 2}\n",
    "merge-top": "a: &a {x: 1}\n<<: *a\n",
    "merge-list-inline": "c:\n  <<: [{x: 1}, {x: 2, y: 2}]\n",
    "merge-null": "c:\n  <<: ~\n",
    "template-trim": "a: {{- .x }}\n",
    "template-in-seq": "- {{ .x }}\n",
    "percent-value": "a: %x\n",
    "at-middle": "a: x@y\n",
    "backtick-middle": "a: x`y\n",
    "long-plain": "a: " + " ".join(["word"] * 40) + "\n",
    "very-long-line": "a: " + "x" * 5000 + "\n",
    "deep-nesting": "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)) + "  " * 40 + "v: 1\n",
    "many-keys": "".join(f"key{i}: {i}\n" for i in range(300)),
    "crlf-literal-keep": "a: |+\r\n  x\r\n\r\n",
    "cr-only": "a: 1\rb: 2\r",
    "bom-middle": "a: x\ufeffy\n",
    "nul-char": "a: x\u0000y\n",
    "c1-control": "a: x\u0080y\n",
    "emoji-key": "😀: smile\n",
    "tab-in-quoted": "a: \"x\ty\"\nb: 'x\ty'\n",
    "indented-doc": "  a: 1\n  b: 2\n",
    "indented-seq-doc": "  - a\n  - b\n",
    "explicit-key-empty": "?\n: x\n",
    "empty-key-flow": "{: x}\n",
    "alias-as-key": "a: &k key\n*k : v\n",
    "directive-then-doc": "%YAML 1.1\n%TAG ! tag:x,2000:\n---\na: !foo 1\n",
    "yaml-12-directive": "%YAML 1.2\n---\na: 1\n",
    "yaml-2-directive": "%YAML 2.0\n---\na: 1\n",
    "comment-after-dq": "a: \"x\"#c\nb: 1\n",
    "comment-after-sq": "a: 'x'#c\n",
    "comment-after-flow": "a: [1]#c\nb: {c: 1}#d\n",
    "comment-after-block-header": "a: |-#c\n  x\n",
    "comment-after-quoted-key": "\"a\"#c: 1\n",
    "tab-blank-line": "a: 1\n\t\nb: 2\n",
    "tab-comment-line": "a: 1\n  \t# c\nb: 2\n",
    "tab-trailing-line": "a: []\n\t",
    "tab-in-literal": "a: |\n  x\n\t\n  y\n",
    "tab-in-flow-line": "a: [\n\t1]\n",
    "tab-plain-continuation": "a: x\n\ty\n",
    "indented-first-key": "  a: 1\nb: 2\n",
    "root-scalar-then-map": "x\ny: 1\n",
    "root-quoted-then-junk": "\"\" false\n",
    "root-seq-then-key": "- a\nb: 1\n",
    "flow-unindented-nested": "a: [1,\n2, [3,\n4]]\nb: 5\n",
    "flow-unindented-map": "a: {x: 1,\ny: [1,\n2]}\nb: 2\n",
    "flow-unindented-quotes": "a: [\"]\",\n'[',\n# c ]\n3]\nb: 1\n",
    "flow-unindented-nested-key": "k:\n  a: [\n1,\n2\n]\n  b: 3\nc: 4\n",
    "flow-unindented-in-seq": "- [a,\nb]\n- c\n",
    "tpl-nindent-too-deep": "metadata:\n  labels:\n    app: x\n      release: y\n",
    "tpl-nindent-too-shallow": "spec:\n  containers:\n  - name: a\n    env:\n    - name: A\n   value: b\n",
    "tpl-list-under-scalar": "spec:\n  replicas: 1\n    - a\n",
    "tpl-missing-colon": "metadata:\n  name x\n  labels: {}\n",
    "tpl-missing-space": "metadata:\n  name:x\n  labels:\n    a:b\n",
    "tpl-unquoted-colon": "data:\n  url: http://a:b@c\n  msg: hello: world\n",
    "tpl-leading-dash-value": "args:\n- --flag\n- -x\n- - nested\n",
    "tpl-empty-toyaml": "resources:\n\nnodeSelector:\n  {}\n",
    "tpl-bad-dedent-seq": "items:\n  - a\n - b\n",
    "tpl-seq-after-map": "a:\n  b: 1\n  - c\n",
    "tpl-map-after-seq": "a:\n  - b\n  c: 1\n",
    "tpl-quote-in-value": "a: \"x\" y\n",
    "tpl-unclosed-quote-multiline": "a: \"x\nb: 1\nc: 2\n",
    "tpl-json-in-yaml": "a: {\"b\": 1, \"c\": [1, 2]}\n",
    "tpl-brace-value": "a: {{ .x }}\nb: 1\n",
    "tpl-key-with-space": "my key: 1\nother key : 2\n",
    "tpl-duplicate-doc-marker": "a: 1\n---\n---\nb: 2\n",
    "tpl-tab-indent-deep": "a:\n  b:\n\t c: 1\n",
    "tpl-annotation-colon": "metadata:\n  annotations:\n    x.io/y: a: b\n",
    "tpl-block-scalar-bad": "data:\n  f: |\n  x\n  y: 1\n",
    "tpl-block-scalar-deindent": "data:\n  f: |\n    x\n   y\n  g: 1\n",
    "tpl-indent-first-key": "  a: 1\n  b: 2\nc: 3\n",
    "tpl-star-value": "a: *\n",
    "tpl-ampersand-value": "a: & x\n",
    "tpl-question-key": "? \n",
    "tpl-pipe-in-value": "a: x | y\nb: | z\n",
    "tpl-gt-in-value": "a: > x\n",
    "tpl-percent-start": "a: 50%\nb: %50\n",
    "tpl-at-start": "email: @me\n",
    "tpl-backtick": "cmd: `ls`\n",
    "tpl-exclaim": "a: !important\nb: ! x\n",
    "tpl-hash-no-space": "a: b#c\nd: #e\n",
    "tpl-comma-plain": "a: b, c\nd: [b, c\n",
    "flow-unindented-deep": "a:\n  b:\n    c: [\n{d: [\n1]},\n2]\n    e: 3\n",
}
for name, text in more.items():
    c(name, text, nonl=not text.endswith("\n"))

with open("../data/yaml_cases.txt", "w") as f:
    for name, text, nonl in cases:
        assert nonl or text == "" or text.endswith("\n"), name
        f.write(f"=== {name}{' !nonl' if nonl else ''}\n{text}")
        if nonl:
            f.write("\n")
print(len(cases), "cases")

# Emitter cases: JSON texts given to ghodss JSONToYAML (what toYaml does after encoding/json).
import json

strings = scalars + [
    "", " ", "  ", "a ", " a", "a b", "a  b", "a\tb", "\t", "tab\tend\t", "x\u0000y", "\u0007bell", "\u007f",
    "\u0080", "\u0085", "\u009f", "\u00a0", "\u00a0x", "é", "日本語", "😀", "a😀b", "\ufeff", "\ufeffabc",
    "\ufffe", "\uffff", "\ue000", "\u2028", "a\u2028b", "\u2029", "a\rb", "a\r\nb",
    "a: b", "a:b", "a:", ":a", ": a", "a #b", "a#b", "#a", "- a", "-a", "-", "--", "---", "--- a", "...",
    "... a", "?", "? a", "?a", "a?", "[a]", "a[b]", "]", "{a}", "a{b}", "}", ",a", "a,b", "a,", "&a", "a&b",
    "*a", "a*", "!a", "a!", "|a", "a|", ">a", "a>", "'a", "a'b", "it's", "\"a", "a\"b", "%a", "a%", "@a", "a@",
    "`a", "a`", "=", "<<", "~", "~a", "a~", "\\", "a\\b", "C:\\path\\x", "http://example.com/a?b=c#d",
    "key=value", "a, b", "{{ .Values }}", "${VAR}", "$(cmd)", "1.2.3", "v1.2", "1_0", "0x1F", "1e3", "1E3",
    "1e", "+1", "-1", "0777", "0o777", "08", "1.5", ".5", "5.", "0.", "+.5", "1:20", "1:20:30", "-1:20",
    "1:2", "1:60", "1:20.5", "2001-12-14", "2001-12-14T21:59:43Z", "2001-12-14 21:59:43", "2001-1-2",
    "2001-13-45", "yes", "No", "ON", "y", "Y", "n", "N", "null", "Null", "NULL", "true", "False", ".inf",
    "-.inf", ".nan", ".NaN", "Infinity",
    "line1\nline2", "line1\nline2\n", "line1\nline2\n\n", "line1\nline2\n\n\n", "\nlead", " lead\nx",
    "\n", "\n\n", "x\n", "trailing \nspace", "trailing space \n", "a\n b", "a \nb", "a\n\nb", "a\n  \nb",
    "\ttab\nline", "multi\nline\twith tab", "x\n\u0085y", "a\r\nb\r\n", "é\nü", "😀\nx", "- a\n- b",
    "key: value\nother: 1\n", "#!/bin/bash\necho hi\n", "  indented\n  block\n", "a\n ", "a\n\t",
    "{\n  \"json\": true\n}\n",
    "word " * 20, ("word " * 20).strip(), "x" * 100, ("x" * 79) + " " + ("y" * 10),
    ("x" * 80) + " " + ("y" * 10), ("x" * 81) + " " + ("y" * 10), ("x" * 78) + " " + ("y" * 10),
    ("a " * 50).strip(), ("ab  " * 30).strip(), ("word " * 30).strip() + ":",
    "'quoted' " + ("long " * 20), ("long " * 20) + "# comment " + ("more " * 5), ("é " * 60).strip(),
    ("\"q\" " * 30).strip(), "- " + ("item " * 20), ("x\t" * 30), ("tab\t " * 20).strip(),
    ("lorem ipsum " * 10) + "\n" + ("dolor sit " * 10),
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
]
strings += [
    "é" * 100, ("é " * 50).strip(), ("日本 " * 40).strip(), ("x" * 70) + " é é é é é é é é é é é é",
    "a\u0085b", "a\u2029b", " ", "\u3000x", "x\u3000", "a \u00a0b", "\u00a0",
    "tab\there and " + "long " * 20, "quote'd " + "long " * 20, "both 'single' and \"double\" " + "w " * 40,
    "- " * 50, ": " * 50, "# " * 50, "a" + " " * 100 + "b", ("ab " * 40) + "\n" + ("cd " * 40),
    ("line " * 20 + "\n") * 3, "trailing \n" * 3, "x\n" * 5 + "  ", "\u2028", "x\u2028", "\x85",
]
emit = []
for s in strings:
    emit.append(json.dumps(s))
    emit.append(json.dumps({"k": s}))
    emit.append(json.dumps([s]))
    emit.append(json.dumps({s: "v"}) if s != "" else json.dumps({"": "v"}))
    emit.append(json.dumps({"a": {"b": [s]}}))
for n in ["0", "-0", "1", "-1", "0.1", "-0.1", "1.5", "3.14", "3.14159265358979", "1e+06", "1e6", "1000000",
          "100000", "1e-07", "1e-7", "0.0001", "0.00001", "1e+21", "1e21", "123456789012345678901234",
          "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
          "-9223372036854775808", "-9223372036854775809", "1.0", "2.50", "1E3", "1e300", "5e-324",
          "1.7976931348623157e308", "0.30000000000000004", "100", "1e2", "12345678", "123456789", "0.000001",
          "1e-6", "1.5e-5", "2.5e+20", "2.5e+21"]:
    emit.append(n)
    emit.append('{"n":' + n + "}")
    emit.append('[' + n + "]")
for doc in [
    {}, [], None, True, False, {"a": {}}, {"a": []}, [{}], [[]], {"a": None}, [None], [[1, 2], [3]],
    [[[1]]], [{"a": 1, "b": 2}, {"c": [1, 2]}], {"a": [{"b": 1, "c": [{"d": []}]}]},
    {"a": {"b": {"c": {"d": "e"}}}}, {"list": [{"name": "x", "value": "yes"}, {"name": "y", "value": "1"}]},
    {"b": 1, "a10": 2, "a2": 3, "A": 4, "_x": 5, "1": 6, "a": 7, "ab": 8, "a-b": 9, "a_b": 10, "Z": 11,
     "a01": 12, "a1": 13, "é": 14, "10": 15, "9": 16, "-1": 17, "a0": 18, "a00": 19, "a001": 20, "x1y2": 21,
     "x1y10": 22, "x01y": 23, " ": 24, "": 25, "~": 26, "zz": 27, "z": 28, "日": 29, "a.b": 30, "a/b": 31},
    {"k" * 128: 1}, {"k" * 129: 1}, {("long key " * 20).strip(): "v"}, {"multi\nline": "key"},
    {"a": "x" * 200}, {"resources": {"limits": {"cpu": "100m", "memory": "128Mi"}}},
    {"annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/", "helm.sh/hook": "pre-install"}},
    {"env": [{"name": "A", "value": "true"}, {"name": "B", "value": "0755"}]},
    {"script": "#!/bin/sh\nset -e\necho \"hello\"\nexit 0\n"},
    {"nested": [["a", "b"], {"c": ["d", {"e": "f"}]}]},
    {"a": {"b": {"c": {"d": {"e": {"f": "word " * 30}}}}}},
    {"k": ["word " * 30, {"x": "word " * 30}]},
    {("key with spaces " * 5).strip(): "v", ("long key " * 20).strip(): "word " * 30},
    {"x": [[["word " * 30]]]},
    {"a": {"": {"": [""]}}},
    [{"a": []}, {"b": {}}, [], {}],
    {"z": None, "y": True, "x": False, "w": 0, "v": -0.0, "u": 1.5, "t": "s"},
]:
    emit.append(json.dumps(doc, ensure_ascii=False))
emit += ['{"a":1,"a":2}', '{"u":"\\u00e9\\u003c"}', '"\\ud83d\\ude00"', ' {"space": "around"} ', "{", "[1,", "nul", '"\\x"']
with open("../data/emit_cases.jsonl", "w") as f:
    for line in emit:
        assert "\n" not in line
        f.write(line + "\n")
print(len(emit), "emit cases")

# Randomised regression sets (fixed seeds, so the files are stable).
import random
import glob

rng = random.Random(20261124)
ALPH = list("abcxyz") * 6 + list("      ") * 3 + list(":#-\n\t\"'\\é😀\u00a0{[,!&*?|>%@`0123456789.e+_~/=")


def rstr():
    n = rng.choice([0, 1, 2, 3, 5, 8, 13, 30, 60, 79, 80, 81, 82, 100, 150, 250])
    return "".join(rng.choice(ALPH) for _ in range(n))


def rnum():
    k = rng.randrange(6)
    if k == 0:
        return rng.randrange(-1000, 1000)
    if k == 1:
        return rng.randrange(-2**63, 2**63)
    if k == 2:
        return rng.uniform(-1e6, 1e6)
    if k == 3:
        return rng.choice([0.1, 1e-7, 1e21, 1e6, 123456789.0, 1.5e-5, -0.0, 2.5])
    if k == 4:
        return float(rng.randrange(-10**7, 10**7))
    return rng.random() * 10 ** rng.randrange(-30, 30)


def rval(d):
    k = rng.randrange(10)
    if d > 3 or k < 4:
        return rstr()
    if k == 4:
        return rnum()
    if k == 5:
        return rng.choice([True, False, None])
    if k in (6, 7):
        return {rstr(): rval(d + 1) for _ in range(rng.randrange(0, 5))}
    return [rval(d + 1) for _ in range(rng.randrange(0, 4))]


with open("../data/emit_random.jsonl", "w") as f:
    for _ in range(250):
        f.write(json.dumps({rstr(): rval(1) for _ in range(rng.randrange(1, 5))}, ensure_ascii=False) + "\n")

# Mutated YAML: the hand-written cases and the head of every corpus values file, with a few
# characters inserted, deleted or re-indented.
corpus_root = __import__("os").environ.get("GOYAML_CORPUS", "/work/shared/corpus")
# Seeds and generator are frozen so that adding hand-written cases keeps these names stable.
mrng = random.Random(7)
seeds = [text for _, text, _ in cases[:346] if text]
for p in sorted(glob.glob(corpus_root + "/charts/*/*/values.yaml")):
    seeds.append("".join(open(p, encoding="utf-8", errors="replace").readlines()[:40]))
INS = list(" \t:-#\n\"'[]{},?&*!|>%@`~") + ["  ", "- ", ": ", "\n  ", "\n- ", "---\n", "...\n", "<<: ", "&a ",
                                             "*a", "!!str ", "!!int "]
with open("../data/mutations.txt", "w") as f:
    for n in range(800):
        d = mrng.choice(seeds)
        for _ in range(mrng.randrange(1, 4)):
            if not d:
                break
            i = mrng.randrange(len(d) + 1)
            k = mrng.randrange(3)
            if k == 0:
                d = d[:i] + mrng.choice(INS) + d[i:]
            elif k == 1:
                d = d[:i] + d[i + 1:]
            else:
                lines = d.split("\n")
                j = mrng.randrange(len(lines))
                if mrng.random() < 0.5:
                    lines[j] = " " * mrng.randrange(0, 4) + lines[j].lstrip(" ")
                else:
                    lines[j] = lines[j] + mrng.choice(INS)
                d = "\n".join(lines)
        f.write(f"=== mut-{n} !nonl\n{d}\n")
print("random sets written")
