module github.com/lakebase-connector/lakebase-go

go 1.21
