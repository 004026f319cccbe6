"""Genomes as labs deliver them: the genome build, GRCh37 position translation and the one genotype reader.

* :mod:`workstation.genome.build` — which build a VCF is on (header, contig names, REF alleles at known sites) and
  the one sentence said when pharmacogenomic calls cannot be made from it;
* :mod:`workstation.genome.positions` — the shipped GRCh37 -> GRCh38 table of pharmacogene positions
  (``resources/genome/grch37_pgx_positions.tsv``, transcribed from pypgx 0.27.0, MIT);
* :mod:`workstation.genome.reader` — :func:`genotypes_at`, the ONE function that reads genotypes at the definition
  positions, used by ``pgx --vcf`` (a file) and by the store (a patient), reference blocks included.
"""
