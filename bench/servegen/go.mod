module servegen

go 1.22
