#include <stdio.h>
#include <tcesim/tcesim.h>
int main(void)
{
	struct tcesim_world *w;
	struct tcesim_mm *mm;
	tcesim_thread_enter();
	if (tcesim_world_create(NULL, &w) || tcesim_mm_create(w, "x", 1 << 20, false, &mm))
		return 1;
	printf("tcesim %s ok, flavour %s\n", TCESIM_VERSION_STRING, tcesim_flavour_name(tcesim_world_cfg(w)->flavour));
	tcesim_mm_exit(mm);
	tcesim_world_destroy(w);
	tcesim_thread_exit();
	return 0;
}
