# Builds graphload and explorer as static binaries (pure Go: the SQLite driver
# needs no cgo) and ships them on a distroless base. See docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# Only what the binaries are built from (web/ holds the embedded page).
COPY cmd ./cmd
COPY internal ./internal
COPY web ./web
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/ ./cmd/graphload ./cmd/explorer

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/graphload /out/explorer /usr/local/bin/
WORKDIR /home/nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/explorer"]
CMD ["-addr", ":8080"]
