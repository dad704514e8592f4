package extract

import (
	"reflect"
	"testing"
)

func TestDatedTitles(t *testing.T) {
	for in, want := range map[string][]string{
		"Noise (2021), written with Olivier Sibony":             {"Noise"},
		"the documentary The Social Dilemma (2020) is":          {"The Social Dilemma"},
		"They reread Thinking, Fast and Slow (2011) and argued": {"Thinking, Fast and Slow"},
		"a talk (2023) about":                                   nil,
		"founded in 1999 (1999)":                                nil,
	} {
		if got := datedTitles(in); !reflect.DeepEqual(got, want) {
			t.Errorf("datedTitles(%q) = %q, want %q", in, got, want)
		}
	}
}
