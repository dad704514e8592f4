package graph

import (
	"reflect"
	"testing"
)

func TestLinesOf(t *testing.T) {
	half := 0.5
	f := EpisodeFacts{
		Episode: Episode{ID: "ep"},
		Lines: []Line{
			{Line: 9, Text: "nine", Kind: LineBullet},
			{Line: 2, Text: "two", Kind: LineHeading, Time: &half, Speaker: "Host"},
			{Line: 2, Text: "two", Kind: LineHeading, Time: &half, Speaker: "Host"}, // repeated identically
		},
		Mentions: []Mention{{Concept: "a", Line: 9, Text: "nine"}, {Concept: "b", Line: 5, Text: "five"}},
		Links:    []Link{{Source: "a", Target: "b", Line: 1, Text: "one"}, {Source: "a", Target: "b", Line: 5, Text: "five"}},
	}
	got, err := LinesOf(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Line{
		{Line: 1, Text: "one"},
		{Line: 2, Text: "two", Kind: LineHeading, Time: &half, Speaker: "Host"},
		{Line: 5, Text: "five"},
		{Line: 9, Text: "nine", Kind: LineBullet},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LinesOf = %+v, want %+v", got, want)
	}

	other := 0.75
	for name, edit := range map[string]func(f *EpisodeFacts){
		"a mention contradicts a line":       func(f *EpisodeFacts) { f.Mentions[0].Text = "NINE" },
		"a link contradicts a mention":       func(f *EpisodeFacts) { f.Links[1].Text = "FIVE" },
		"a line is given twice, differently": func(f *EpisodeFacts) { f.Lines[2].Time = &other },
	} {
		g := f
		g.Lines = append([]Line(nil), f.Lines...)
		g.Mentions = append([]Mention(nil), f.Mentions...)
		g.Links = append([]Link(nil), f.Links...)
		edit(&g)
		if _, err := LinesOf(g); ErrorCode(err) != EINVALID {
			t.Errorf("%s: LinesOf error %v, want %s", name, err, EINVALID)
		}
	}
}
