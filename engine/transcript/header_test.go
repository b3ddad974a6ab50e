package transcript

import (
	"regexp"
	"testing"
)

// header is the regular expression headerSettings stands for.
var header = regexp.MustCompile(`<!--\s*hsmsim((?:\s+[a-z]+=[A-Za-z0-9_.-]+)*)\s*-->`)

func checkHeader(t *testing.T, md string) {
	t.Helper()
	got, ok := headerSettings(md)
	want := header.FindStringSubmatch(md)
	if (want != nil) != ok || ok && got != want[1] {
		t.Errorf("%q: scanner %q %v, regexp %q", md, got, ok, want)
	}
}

func TestHeaderSettingsAsTheRegexp(t *testing.T) {
	for _, md := range []string{
		"", "<!-- hsmsim -->", "<!-- hsmsim seed=42 scenario=default -->\n\n```\n", "<!--hsmsim seed=1-->",
		"<!-- hsmsim seed=1---->", "<!-- hsmsim seed=1 -- -->", "<!-- hsmsim seed=1 x -->", "<!-- hsmsim seed= -->",
		"<!-- hsmsimseed=1 -->", "<!-- hsmsim SEED=1 -->", "<!-- hsmsim\n\tseed=1\n-->", "<!-- other --> <!-- hsmsim a=b -->",
		"<!--<!-- hsmsim a=b -->", "<!-- hsmsim a=b c=d-e.f_g -->", "<!-- hsmsim a=b c=-->", "<!-- hsmsim a=b c=--->",
		"<!-- hsmsim a=b", "<!-- hsmsim a=b --", "<!-- hsmsim\v-->", "<!-- hsmsim a=b\xff -->", "x<!-- hsmsim -->-->",
	} {
		checkHeader(t, md)
	}
	m, _, err := ParseMarkdown(Markdown(nil, Meta{Scenario: "uninitialised"}))
	if err != nil || m.Scenario != "uninitialised" {
		t.Errorf("round trip: %+v %v", m, err)
	}
}

func FuzzHeaderSettings(f *testing.F) {
	f.Add("<!-- hsmsim seed=42 scenario=default -->\n")
	f.Add("<!--hsmsim a=b---->")
	f.Add("<!-- hsmsim a=b c=-->")
	f.Fuzz(func(t *testing.T, md string) {
		checkHeader(t, md)
	})
}
