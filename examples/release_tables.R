# samverkansgraf in R: read a research release's CSV tables (base R only).
#
#   samverkansgraf release --version 0.1.0           # writes dist/releases/samverkansgraf-0.1.0
#   Rscript examples/release_tables.R dist/releases/samverkansgraf-0.1.0
#
# The tables are described in the release's codebook.md and datapackage.json:
# one row per actor, agreement, clause, commitment, activity, participation and
# piece of evidence; IRIs in full, several values in one cell separated by " | ".
# `make test` runs this script when Rscript is installed (tests/test_examples.py).

args <- commandArgs(trailingOnly = TRUE)
release <- if (length(args) >= 1) args[[1]] else "dist/releases/samverkansgraf-0.1.0"
table_of <- function(name) {
  read.csv(file.path(release, "data", paste0(name, ".csv")),
           encoding = "UTF-8", stringsAsFactors = FALSE, na.strings = "")
}

actors <- table_of("actors")
commitments <- table_of("commitments")
participation <- table_of("participation")

# How binding are the commitments? (modality_label: ska, vill, verkar för, kan, konstaterar)
cat("commitments by modality\n")
by_modality <- sort(table(commitments$modality_label), decreasing = TRUE)
for (m in names(by_modality)) cat(sprintf("%s\t%d\n", m, by_modality[[m]]))

# Who commits? A commitment may have several committing actors ("a | b").
committers <- unlist(strsplit(commitments$committed_by, " | ", fixed = TRUE))
labels <- setNames(actors$label_sv, actors$iri)
by_actor <- sort(table(labels[committers]), decreasing = TRUE)
cat("\ncommitments by committing actor\n")
for (a in names(by_actor)) cat(sprintf("%s\t%d\n", a, by_actor[[a]]))

# Activities per municipality (participants of the action plans).
municipal <- participation[participation$role == "participant" &
                           grepl("/kommun/", participation$actor), ]
by_municipality <- sort(table(municipal$actor_label), decreasing = TRUE)
cat("\nactivities per municipality\n")
for (m in names(by_municipality)) cat(sprintf("%s\t%d\n", m, by_municipality[[m]]))
