package feed

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const sampleRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Low Tide Radio</title>
  <itunes:author>Mara Quill</itunes:author>
  <image><title>not the show title</title><url>http://127.0.0.1/logo.png</url></image>
  <item>
    <title>Salt marshes &amp; carbon</title>
    <guid isPermaLink="false">lowtide-0012</guid>
    <link>https://lowtide.example/episodes/12</link>
    <pubDate>Tue, 05 Mar 2024 06:00:00 +0000</pubDate>
    <enclosure url="https://cdn.lowtide.example/12.mp3" length="1234" type="audio/mpeg"/>
    <description>Short text.</description>
    <content:encoded><![CDATA[<p>We visit the <a href="https://x.example">Wadden Sea</a>.</p>
<p>Second paragraph.</p>]]></content:encoded>
    <podcast:transcript url="https://lowtide.example/12.json" type="application/json"/>
    <podcast:transcript url="https://lowtide.example/12.vtt" type="text/vtt"/>
    <podcast:transcript url="https://lowtide.example/12.srt" type="application/x-subrip"/>
    <podcast:person role="guest">Ada Brenner</podcast:person>
    <podcast:person>Mara Quill</podcast:person>
  </item>
  <item>
    <title>Kelp forests</title>
    <guid>https://lowtide.example/episodes/11?x=1</guid>
    <pubDate>Mon, 4 Mar 2024 07:30:00 GMT</pubDate>
    <description>&lt;p&gt;Encoded HTML &amp;nbsp;notes.&lt;/p&gt;</description>
  </item>
  <item>
    <title>No way to know this one again</title>
  </item>
</channel>
</rss>
`

func TestParseRSS(t *testing.T) {
	f, itemErrs, err := Parse("feed.xml", []byte(sampleRSS))
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Low Tide Radio" || f.Author != "Mara Quill" || len(f.Items) != 2 {
		t.Fatalf("feed = %+v", f)
	}
	if len(itemErrs) != 1 || itemErrs[0].Error() != `feed.xml:31: item "No way to know this one again": no guid, link or enclosure to know it by across runs: skipped` {
		t.Errorf("item errors = %v", itemErrs)
	}
	a, b := f.Items[0], f.Items[1]
	want := Item{Line: 10, GUID: "lowtide-0012", ID: ItemID("lowtide-0012"), Title: "Salt marshes & carbon", Date: "2024-03-05",
		Link: "https://lowtide.example/episodes/12", Audio: "https://cdn.lowtide.example/12.mp3",
		Notes: "<p>We visit the <a href=\"https://x.example\">Wadden Sea</a>.</p>\n<p>Second paragraph.</p>", NotesLine: 17,
		Transcripts: []Transcript{{"https://lowtide.example/12.json", "application/json"}, {"https://lowtide.example/12.vtt", "text/vtt"}, {"https://lowtide.example/12.srt", "application/x-subrip"}},
		Hosts:       []string{"Mara Quill"}, Guests: []string{"Ada Brenner"}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("item 1:\n got %+v\nwant %+v", a, want)
	}
	if best, ok := a.Best(); !ok || best.URL != "https://lowtide.example/12.vtt" || best.Format() != "vtt" {
		t.Errorf("best transcript = %+v, %v", best, ok)
	}
	if b.Date != "2024-03-04" || b.Notes != "<p>Encoded HTML &nbsp;notes.</p>" || b.NotesLine != 29 || !reflect.DeepEqual(b.Hosts, []string{"Mara Quill"}) {
		t.Errorf("item 2 = %+v", b)
	}
	if _, ok := b.Best(); ok {
		t.Error("an item without transcripts has a best one")
	}
	if a.ID != "lowtide-0012-"+a.ID[len(a.ID)-8:] || !strings.HasPrefix(b.ID, "11-") {
		t.Errorf("ids = %q, %q", a.ID, b.ID)
	}
}

func TestParseAtom(t *testing.T) {
	src := `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <title>Orbit Notes</title>
  <author><name>Jun Park</name></author>
  <entry>
    <title>Cubesats in low orbit</title>
    <id>urn:uuid:7d3f7a52-0c8e-4a5e-9d1b-2f7b0d2f1a10</id>
    <link href="https://orbit.example/ep/3"/>
    <link rel="enclosure" href="https://orbit.example/ep/3.m4a" type="audio/mp4"/>
    <updated>2023-11-02T10:00:00Z</updated>
    <published>2023-11-01T09:00:00+02:00</published>
    <summary>Fallback summary</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>About <b>cubesats</b>.</p></div></content>
    <podcast:transcript url="https://orbit.example/ep/3.txt" type="text/plain"/>
  </entry>
</feed>`
	f, itemErrs, err := Parse("orbit.atom", []byte(src))
	if err != nil || len(itemErrs) != 0 {
		t.Fatal(err, itemErrs)
	}
	it := f.Items[0]
	if f.Title != "Orbit Notes" || it.Title != "Cubesats in low orbit" || it.Date != "2023-11-01" || it.Link != "https://orbit.example/ep/3" ||
		it.Audio != "https://orbit.example/ep/3.m4a" || !strings.Contains(it.Notes, "<b>cubesats</b>") || it.NotesLine != 13 ||
		!reflect.DeepEqual(it.Hosts, []string{"Jun Park"}) {
		t.Errorf("item = %+v", it)
	}
	if best, _ := it.Best(); best.Format() != "text" {
		t.Errorf("format = %q", best.Format())
	}
}

func TestParseErrors(t *testing.T) {
	for name, c := range map[string]struct{ src, want string }{
		"html page":    {"<!DOCTYPE html>\n<html><body>hi</body></html>", "x:2: not a feed: the document is <html>"},
		"other xml":    {"<?xml version=\"1.0\"?>\n<svg></svg>", "x:2: not a feed: the document is <svg>"},
		"unclosed":     {"<rss><channel><title>T</title><item><title>a</title>", "x:1: not a readable feed (malformed XML)"},
		"mismatched":   {"<rss><channel>\n<item></channel></rss>", "x:2: not a readable feed (malformed XML): element <item> closed by </channel>"},
		"empty":        {"", "x: not a feed: no <rss> or <feed> element"},
		"no items":     {"<rss><channel><title>T</title></channel></rss>", "x: the feed has no items"},
		"rdf":          {`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>`, "RSS 1.0 (RDF) feeds are not read"},
		"bad charset":  {`<?xml version="1.0" encoding="koi8-r"?><rss></rss>`, `encoding "koi8-r" is not supported`},
		"json":         {`{"version": "https://jsonfeed.org/version/1"}`, "x: not a feed"},
		"ends in feed": {`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry>`, "x:1: not a readable feed (malformed XML)"},
	} {
		_, _, err := Parse("x", []byte(c.src))
		var fe *Error
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a *feed.Error containing %q", name, err, c.want)
		}
	}
}

func TestLatin1Feed(t *testing.T) {
	src := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Caf\xe9 talk</title><item><guid>1</guid><title>\xc0 la carte</title></item></channel></rss>"
	f, _, err := Parse("x", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Café talk" || f.Items[0].Title != "À la carte" {
		t.Errorf("titles = %q, %q", f.Title, f.Items[0].Title)
	}
}

func TestDuplicateGUIDs(t *testing.T) {
	src := "<rss><channel><item><guid>g</guid><title>first</title></item><item><guid>g</guid><title>again</title></item></channel></rss>"
	f, itemErrs, err := Parse("x", []byte(src))
	if err != nil || len(f.Items) != 1 || f.Items[0].Title != "first" || len(itemErrs) != 1 || !strings.Contains(itemErrs[0].Error(), `item "again": guid "g" repeats`) {
		t.Errorf("items %+v, errors %v, err %v", f, itemErrs, err)
	}
}

func TestItemIDIsStable(t *testing.T) {
	guid := "https://show.example/ep/41"
	first := ItemID(guid)
	if again := ItemID(strings.Clone(guid)); again != first || ItemID("a") == ItemID("b") {
		t.Error("ItemID not a function of the guid alone")
	}
	if id := ItemID("https://show.example/ep/41.html"); !strings.HasPrefix(id, "41-") || len(id) != len("41-")+8 {
		t.Errorf("ItemID = %q", id)
	}
	if id := ItemID("!!!"); !strings.HasPrefix(id, "ep-") {
		t.Errorf("ItemID of an unsluggable guid = %q", id)
	}
}

func TestDates(t *testing.T) {
	for in, want := range map[string]string{
		"Tue, 05 Mar 2024 06:00:00 +0000": "2024-03-05", "Tue, 5 Mar 2024 06:00:00 EST": "2024-03-05",
		"2024-03-05T06:00:00Z": "2024-03-05", "2024-03-05": "2024-03-05", "sometime in March": "", "": "",
	} {
		if got := date(in); got != want {
			t.Errorf("date(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sampleRSS))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>x</id><content type="xhtml"><div>a</div></content></entry></feed>`))
	f.Add([]byte(`<?xml version="1.0" encoding="latin1"?><rss><channel><item><guid>1</guid></item></channel></rss>`))
	f.Add([]byte(`<rss><channel><item><enclosure url="a"/><podcast:transcript url="b"/></item></channel></rss>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, itemErrs, err := Parse("fuzz.xml", data)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.URL != "fuzz.xml" {
				t.Fatalf("error %v is not a *feed.Error naming the source", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, it := range feed.Items {
			if it.ID == "" || ids[it.ID] {
				t.Fatalf("item id %q empty or repeated", it.ID)
			}
			ids[it.ID] = true
			it.Best()
		}
		for _, e := range itemErrs {
			if !strings.HasPrefix(e.Error(), "fuzz.xml") {
				t.Fatalf("item error %v does not name the feed", e)
			}
		}
	})
}
