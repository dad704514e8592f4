package extract

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// Source is one parsed notes file to extract as an episode.
type Source struct {
	Doc     *notes.Document
	Episode graph.Episode
}

// ExtractAll extracts many episodes on workers goroutines (0 means GOMAXPROCS)
// in two passes: the second re-reads only the episodes that dropped a
// candidate which another episode (or known, the ids of concepts already
// stored) kept, so one theme is one node across the corpus. The result is in
// the order of srcs and does not depend on workers. errs[i] is set when
// extracting srcs[i] failed (a bug, recovered so the other files still load).
func (x *Extractor) ExtractAll(srcs []Source, known map[string]bool, workers int, progress func(done, total int)) (out []graph.EpisodeFacts, errs []error) {
	out, errs, _ = x.ExtractAllContext(context.Background(), srcs, known, workers, progress)
	return out, errs
}

// ExtractAllContext is ExtractAll that stops handing out episodes once ctx is
// done (an interrupted load), returning ctx's error; the episodes being
// extracted at that moment finish first, which takes milliseconds.
func (x *Extractor) ExtractAllContext(ctx context.Context, srcs []Source, known map[string]bool, workers int, progress func(done, total int)) (out []graph.EpisodeFacts, errs []error, err error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out = make([]graph.EpisodeFacts, len(srcs))
	errs = make([]error, len(srcs))
	dropped := make([][]string, len(srcs))
	safely := func(i int, fn func()) {
		defer func() {
			if p := recover(); p != nil {
				out[i] = graph.EpisodeFacts{Episode: srcs[i].Episode}
				errs[i] = &notes.Error{Path: srcs[i].Doc.Path, Msg: fmt.Sprintf("internal error while extracting this file: %v", p)}
			}
		}()
		fn()
	}
	parallel(ctx, len(srcs), workers, progress, func(i int) {
		safely(i, func() { out[i], dropped[i] = x.ExtractKnown(srcs[i].Doc, srcs[i].Episode, nil) })
	})
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	vocabulary := make(map[string]bool, len(known))
	for id := range known {
		vocabulary[id] = true
	}
	for _, f := range out {
		for _, m := range f.Mentions {
			vocabulary[m.Concept] = true
		}
	}
	var again []int
	for i, ids := range dropped {
		for _, id := range ids {
			if vocabulary[id] {
				again = append(again, i)
				break
			}
		}
	}
	parallel(ctx, len(again), workers, nil, func(j int) {
		i := again[j]
		if errs[i] == nil {
			safely(i, func() { out[i], _ = x.ExtractKnown(srcs[i].Doc, srcs[i].Episode, vocabulary) })
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return out, errs, nil
}

// parallel runs fn(0..n-1) on workers goroutines, reporting progress, and
// stops starting new calls once ctx is done.
func parallel(ctx context.Context, n, workers int, progress func(done, total int), fn func(i int)) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		next = make(chan int)
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
				if progress != nil {
					mu.Lock()
					done++
					progress(done, n)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
}
