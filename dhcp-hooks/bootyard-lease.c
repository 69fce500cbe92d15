/* bootyard-lease.c - placeholder until the lease hook lands. */
int
main(void)
{
	return 0;
}
