package webpage

import (
	"html/template"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mteja/mteja/internal/money"
)

var set = Parse(os.DirFS("testdata"), template.FuncMap{"amount": Amount})

func TestWrite(t *testing.T) {
	w := httptest.NewRecorder()
	err := set.Write(w, 201, "hello", "default-src 'none'", map[string]any{"Amount": money.Amount(150050), "Name": "<Mary>"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != 201 {
		t.Errorf("status %d, want 201", w.Code)
	}
	body := w.Body.String()
	if want := "<p>KES\u00a01,500.50 to &lt;Mary&gt;</p>"; !strings.Contains(body, want) {
		t.Errorf("page %q lacks %q", body, want)
	}
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"Cache-Control":           "no-store",
		"Content-Length":          "",
	} {
		if got := w.Header().Get(k); got == "" || (want != "" && got != want) {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// A page that fails half-way writes nothing: the caller can still answer
// with an error page.
func TestWriteFailsWhole(t *testing.T) {
	for _, name := range []string{"broken", "absent"} {
		w := httptest.NewRecorder()
		if err := set.Write(w, 200, name, "", map[string]any{"Missing": nil}); err == nil {
			t.Errorf("%s: no error", name)
		}
		if w.Body.Len() != 0 || len(w.Header()) != 0 {
			t.Errorf("%s: wrote %q with %v", name, w.Body.String(), w.Header())
		}
	}
}

func TestHash(t *testing.T) {
	// The digest of "" is well known; the quotes belong to the source.
	if got, want := Hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"; got != want {
		t.Errorf("Hash(\"\") = %s, want %s", got, want)
	}
}
