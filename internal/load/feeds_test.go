package load

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/feed"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/transcript"
)

const vttEpisode = `WEBVTT

00:00:01.000 --> 00:00:05.000
<v Hana Sato>Vertical farming grows lettuce under LED lights in stacked trays.

00:00:05.000 --> 00:00:09.000
<v Joel Brandt>The energy cost of the LED lights decides whether vertical farming pays.
`

const srtEpisode = "1\r\n00:00:01,000 --> 00:00:04,000\r\nHana Sato: Hydroponics feeds the roots with nutrient solution.\r\n\r\n" +
	"2\r\n00:00:04,000 --> 00:00:08,000\r\nJoel Brandt: Hydroponics and vertical farming go together.\r\n"

func TestTranscriptFilesLoad(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "farm.vtt"), vttEpisode)
	write(t, filepath.Join(dir, "roots.srt"), srtEpisode)
	write(t, filepath.Join(dir, "seg.json"), `{"segments":[{"speaker":"Hana Sato","startTime":1,"endTime":2,"body":"Recirculating aquaculture systems filter the water of fish tanks."}]}`)
	write(t, filepath.Join(dir, "timed.txt"), "Night shift\n[00:00:03] HANA: Greenhouse tomatoes need pollination.\n[00:00:09] JOEL: Bumblebees pollinate greenhouse tomatoes.\n")
	write(t, filepath.Join(dir, "page.html"), "<h1>Show notes</h1><p>We discuss <a href=x>seed banks</a>.</p>")
	write(t, filepath.Join(dir, "package.json"), `{"name": "not-a-transcript"}`)
	write(t, filepath.Join(dir, "broken.vtt"), "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSoil health matters.\n\n00:00:0x.000 --> 00:00:03.000\nbroken\n")
	st := openStore(t)
	res, err := Run(context.Background(), st, []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 6 || len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Error(), "package.json: not a Podcasting 2.0 transcript") {
		t.Fatalf("loaded %d, failed %v", res.Loaded, res.Failed)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Error(), "broken.vtt:6: bad cue timing") {
		t.Errorf("warnings = %v", res.Warnings)
	}
	eps, _ := st.Episodes(context.Background())
	guests := map[string][]string{}
	for _, e := range eps {
		guests[e.ID] = e.Guests
	}
	if fmt.Sprint(guests["farm"]) != "[Hana Sato Joel Brandt]" || fmt.Sprint(guests["timed"]) != "[HANA JOEL]" {
		t.Errorf("guests = %v", guests)
	}
	g, err := graph.Read(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, c := range g.Concepts {
		found[c.ID] = true
	}
	for _, want := range []string{"vertical-farming", "hydroponic", "aquaculture-system", "greenhouse-tomato", "seed-bank"} {
		if !found[want] {
			t.Errorf("concept %q not found in the transcripts (found %v)", want, found)
		}
	}
}

// showServer serves a feed and its transcripts on the loopback address and
// counts the requests for each path.
type showServer struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	feed  string
	files map[string]string
}

func newShowServer(t *testing.T) *showServer {
	s := &showServer{hits: map[string]int{}, files: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		body, ok := s.files[r.URL.Path]
		if r.URL.Path == "/feed.xml" {
			body, ok = s.feed, true
		}
		s.mu.Unlock()
		switch {
		case r.URL.Path == "/slow.vtt":
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
			return
		case !ok:
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, len(body)*31+int(body[len(body)/2]))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *showServer) setFeed(items ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.feed = `<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Grow Rooms</title>` +
		strings.Join(items, "\n") + `</channel></rss>`
}

func (s *showServer) requests() (total int, paths []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, n := range s.hits {
		total += n
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for p := range s.hits {
		delete(s.hits, p)
	}
	return total, paths
}

func item(guid, title, transcript string) string {
	t := ""
	if transcript != "" {
		t = fmt.Sprintf(`<podcast:transcript url="%s" type="text/vtt"/>`, transcript)
	}
	return fmt.Sprintf(`<item><title>%s</title><guid>%s</guid><link>https://grow.example/%s</link><pubDate>Tue, 05 Mar 2024 06:00:00 +0000</pubDate>
<description>&lt;p&gt;Notes on %s.&lt;/p&gt;</description>%s</item>`, title, guid, guid, title, t)
}

func testOptions(t *testing.T) Options {
	f := feed.NewFetcher(filepath.Join(t.TempDir(), "http"))
	f.Timeout, f.Backoff, f.Retries = 300*time.Millisecond, 5*time.Millisecond, 1
	return Options{CacheDir: t.TempDir(), Fetcher: f}
}

func TestFeedOverHTTP(t *testing.T) {
	s := newShowServer(t)
	s.files["/t/farm.vtt"] = vttEpisode
	s.files["/t/other.vtt"] = strings.ReplaceAll(vttEpisode, "lettuce", "basil")
	s.setFeed(
		item("ep-1", "Vertical farms", "/t/farm.vtt"),
		item("ep-2", "Basil towers", "other.vtt"), // relative to the feed's URL: /other.vtt is missing
		item("ep-3", "Slow one", "/slow.vtt"),
		item("ep-4", "Notes only", ""),
		item("ep-5", "Remote feed, local file", "file:///etc/hostname"),
	)
	st := openStore(t)
	opts := testOptions(t)
	feedURL := s.URL + "/feed.xml"
	res, err := Run(context.Background(), st, []string{feedURL}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, e := range res.Failed {
		failed = append(failed, e.Error())
	}
	sort.Strings(failed)
	want := []string{
		`file:///etc/hostname: item "Remote feed, local file": transcript: only http and https transcripts are fetched for a feed from the network`,
		s.URL + `/other.vtt: item "Basil towers": transcript: 404 Not Found`,
		s.URL + `/slow.vtt: item "Slow one": transcript: no answer within 300ms`,
	}
	if strings.Join(failed, "\n") != strings.Join(want, "\n") {
		t.Errorf("failed:\n%s\nwant\n%s", strings.Join(failed, "\n"), strings.Join(want, "\n"))
	}
	// Every item loads: from its transcript, or from its show notes when the
	// transcript could not be had.
	if res.Loaded != 5 {
		t.Fatalf("loaded %d of 5 items", res.Loaded)
	}
	eps, _ := st.Episodes(context.Background())
	byTitle := map[string]graph.Episode{}
	for _, e := range eps {
		byTitle[e.Title] = e
	}
	farm := byTitle["Vertical farms"]
	if farm.Show != "Grow Rooms" || farm.Date != "2024-03-05" || farm.Source != feedURL+"#item="+feed.ItemID("ep-1") || fmt.Sprint(farm.Guests) != "[Hana Sato Joel Brandt]" {
		t.Errorf("episode = %+v", farm)
	}

	// A rerun with nothing changed: one conditional request for the feed
	// (answered 304), the transcripts from the cache, no extraction. The
	// failed transcripts are asked again.
	s.requests()
	res, err = Run(context.Background(), st, []string{feedURL}, opts)
	if err != nil {
		t.Fatal(err)
	}
	n, paths := s.requests()
	if res.Loaded != 0 || fmt.Sprint(paths) != "[/feed.xml /other.vtt /slow.vtt]" || n != 1+1+2 {
		t.Errorf("rerun: loaded %d, %d requests to %v", res.Loaded, n, paths)
	}

	// Now the missing transcript appears and an item leaves the feed: the
	// new transcript loads and -prune drops the gone item.
	s.mu.Lock()
	s.files["/other.vtt"] = s.files["/t/other.vtt"]
	s.mu.Unlock()
	s.setFeed(item("ep-1", "Vertical farms", "/t/farm.vtt"), item("ep-2", "Basil towers", "other.vtt"), item("ep-4", "Notes only", ""))
	opts.Prune = true
	res, err = Run(context.Background(), st, []string{feedURL}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != 2 || len(res.Failed) != 0 || res.Episodes != 3 {
		t.Errorf("after the feed changed: removed %d, failed %v, %d episodes", res.Removed, res.Failed, res.Episodes)
	}
	eps, _ = st.Episodes(context.Background())
	for _, e := range eps {
		if e.Title == "Basil towers" && !strings.Contains(fmt.Sprint(e.Guests), "Hana Sato") {
			t.Errorf("Basil towers did not load its transcript: %+v", e)
		}
	}

	// Offline: the server is gone, the rerun reads everything from the cache.
	s.Close()
	res, err = Run(context.Background(), st, []string{feedURL}, Options{CacheDir: opts.CacheDir, Fetcher: opts.Fetcher, Force: true})
	if err != nil || len(res.Failed) != 0 || res.Episodes != 3 {
		t.Errorf("offline rerun: %v, failed %v, %d episodes", err, res.Failed, res.Episodes)
	}
}

func TestBrokenFeeds(t *testing.T) {
	s := newShowServer(t)
	s.files["/bad.xml"] = "<rss><channel><item><title>unclosed"
	s.files["/page.rss"] = "<!doctype html><html><body>Moved</body></html>"
	dir := t.TempDir()
	local := filepath.Join(dir, "local.xml")
	write(t, local, `<rss><channel><title>Local</title><item><guid>1</guid><title>One</title><podcast:transcript url="missing.vtt" type="text/vtt"/></item>
<item><guid>2</guid><title>Two</title><podcast:transcript url="two.vtt"/></item></channel></rss>`)
	write(t, filepath.Join(dir, "two.vtt"), vttEpisode)
	st := openStore(t)
	res, err := Run(context.Background(), st, []string{s.URL + "/bad.xml", s.URL + "/page.rss", s.URL + "/gone.xml", local}, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, e := range res.Failed {
		failed = append(failed, e.Error())
	}
	want := []string{
		s.URL + "/bad.xml:1: not a readable feed (malformed XML): unexpected EOF",
		s.URL + "/page.rss:1: not a feed: the document is <html>, not <rss> or <feed>",
		s.URL + "/gone.xml: 404 Not Found",
		filepath.Join(dir, "missing.vtt") + `: item "One": transcript: no such file or directory`,
	}
	if strings.Join(failed, "\n") != strings.Join(want, "\n") {
		t.Errorf("failed:\n%s\nwant\n%s", strings.Join(failed, "\n"), strings.Join(want, "\n"))
	}
	if res.Loaded != 1 {
		t.Errorf("loaded %d, want the local feed's item with a transcript", res.Loaded)
	}
	// Without a cache directory, a feed cannot be followed.
	res, _ = Run(context.Background(), st, []string{local}, Options{})
	if len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Error(), "feeds need a cache directory") {
		t.Errorf("failed = %v", res.Failed)
	}
}

func TestSameGUIDInTwoFeeds(t *testing.T) {
	dir := t.TempDir()
	src := `<rss><channel><title>Show</title><item><guid>shared-guid</guid><title>One</title><description>Notes about kelp.</description></item></channel></rss>`
	write(t, filepath.Join(dir, "a.xml"), src)
	write(t, filepath.Join(dir, "b.rss"), src)
	a, b := filepath.Join(dir, "a.xml"), filepath.Join(dir, "b.rss")
	res, err := Run(context.Background(), openStore(t), []string{a, a, b}, Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 1 || len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Error(), b+`#item=shared-guid-`) || !strings.Contains(res.Failed[0].Error(), "the same episode id") {
		t.Errorf("loaded %d, failed %v", res.Loaded, res.Failed)
	}
}

func TestNotesAreNotTakenForTranscripts(t *testing.T) {
	// Plain-text notes with a few times in them stay notes.
	for _, dir := range []string{"../../examples/notes", "../../../shared/seeds"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if transcript.LooksTimed(string(data)) {
				t.Errorf("%s reads as a timed transcript", f)
			}
		}
	}
}

func TestFeedNamingADirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "f.xml"), `<rss><channel><item><guid>1</guid><title>Dir</title><podcast:transcript url="sub" type="text/vtt"/></item></channel></rss>`)
	write(t, filepath.Join(dir, "sub", "x.txt"), "x")
	res, err := Run(context.Background(), openStore(t), []string{filepath.Join(dir, "f.xml"), dir + "/sub.xml"}, Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 2 || !strings.HasSuffix(res.Failed[0].Error(), `sub: item "Dir": transcript: not a regular file`) ||
		!strings.HasSuffix(res.Failed[1].Error(), "sub.xml: no such file or directory") || res.Loaded != 0 {
		t.Errorf("failed = %v", res.Failed)
	}
}

func TestTimesSpeakersAndLinksAreStored(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "farm.vtt"), vttEpisode)
	write(t, filepath.Join(dir, "show.xml"), `<rss><channel><title>Grow Rooms</title><item><guid>g1</guid><title>Farms</title>
<link>https://grow.example/1</link><enclosure url="https://grow.example/1.mp3" type="audio/mpeg"/>
<podcast:transcript url="farm.vtt" type="text/vtt"/></item></channel></rss>`)
	st := openStore(t)
	ctx := context.Background()
	res, err := Run(ctx, st, []string{filepath.Join(dir, "show.xml")}, Options{CacheDir: t.TempDir()})
	if err != nil || res.Loaded != 1 || len(res.Failed) != 0 {
		t.Fatalf("load: %v, %+v", err, res)
	}
	eps, _ := st.Episodes(ctx)
	if len(eps) != 1 || eps[0].URL != "https://grow.example/1" || eps[0].Audio != "https://grow.example/1.mp3" {
		t.Fatalf("episodes = %+v", eps)
	}
	lines, err := st.Lines(ctx, eps[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		tm := "none"
		if l.Time != nil {
			tm = fmt.Sprint(*l.Time)
		}
		got = append(got, fmt.Sprintf("%d %s %s %s", l.Line, l.Kind, tm, l.Speaker))
	}
	if want := "[4 turn 1 Hana Sato 7 turn 5 Joel Brandt]"; fmt.Sprint(got) != want {
		t.Errorf("lines = %v, want %s", got, want)
	}
}
